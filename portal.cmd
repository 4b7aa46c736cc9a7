@echo off
rem Windows: the portal's commands without make or a POSIX shell, run with the project's own Python.
rem   portal setup                               create .venv and install the build packages (from requirements\wheels\ when present: no network)
rem   portal check | serve | new <id> | status [<id>] | clean-text | build | build-local
rem Each command is "python -m macros <command>" (see the README); make is the shorthand on Linux.
chcp 65001 >nul
setlocal
cd /d "%~dp0"
set "PYTHONUTF8=1"
set "NO_MKDOCS_2_WARNING=true"
set "VENV_PYTHON=.venv\Scripts\python.exe"
if /i "%~1"=="setup" goto setup
if not exist "%VENV_PYTHON%" (
  echo 还没有安装。请先运行：portal setup
  exit /b 1
)
"%VENV_PYTHON%" -m macros %*
exit /b %errorlevel%

:setup
if exist "%VENV_PYTHON%" goto install
set "BASE_PYTHON="
for %%P in (py python) do if not defined BASE_PYTHON (
  %%P -c "import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))" >nul 2>&1 && set "BASE_PYTHON=%%P"
)
if not defined BASE_PYTHON (
  echo 没有找到 Python 3.11 至 3.13。请先安装（安装时勾选“Add python.exe to PATH”），再运行 portal setup。
  exit /b 1
)
%BASE_PYTHON% -m venv .venv || (
  echo 无法创建虚拟环境 .venv。
  exit /b 1
)

:install
set "FROM="
set "HOW=从软件包索引下载，视网速约需 1 至 5 分钟"
if exist "requirements\wheels\*.whl" (
  set "FROM=--no-index --find-links requirements\wheels"
  set "HOW=从离线包 requirements\wheels\ 安装，约需 1 分钟"
)
echo 正在安装生成和预览所需的软件包（约 84 MB，%HOW%）……
"%VENV_PYTHON%" -m pip install --disable-pip-version-check --no-deps --require-virtualenv %FROM% -r requirements\build.txt > .venv\install.log 2>&1 || goto failed
"%VENV_PYTHON%" -m pip check >> .venv\install.log 2>&1 || goto failed
echo 安装完成。预览请运行：portal serve
exit /b 0

:failed
type .venv\install.log
echo 安装失败。上面是安装程序的原始输出，也保存在 .venv\install.log；请把它发给技术人员。
exit /b 1
