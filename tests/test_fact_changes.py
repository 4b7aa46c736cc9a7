"""One fact lives in one field: changing it changes every page that shows it."""


from macros.outputs.render import PAGE_KINDS
from tests.support import DATA, ROOT, load, renderer


def pages_after_edit(tmp_path, file_name, old, new):
    folder = tmp_path / "data" / "meetings"
    folder.mkdir(parents=True)
    text = (DATA / file_name).read_text(encoding="utf-8")
    assert old in text
    (folder / file_name).write_text(text.replace(old, new), encoding="utf-8")
    meeting = load(folder, tmp_path)[file_name[:-4]]
    return {kind: renderer().page(kind, meeting) for kind in PAGE_KINDS}


def test_count_of_forms_changes_report_and_checklist(tmp_path):
    before = {kind: renderer().page(kind, load()["2021-county-gov-office"]) for kind in PAGE_KINDS}
    after = pages_after_edit(tmp_path, "2021-county-gov-office.yml", "forms: xx多", "forms: 300多")
    assert "发放书面征求意见表xx多份" in before["report"]
    assert "发放书面征求意见表300多份" in after["report"]
    assert "xx多份" not in after["report"]
    assert "| 统计征求意见表份数 | 已完成 | 300多 |" in after["checklist"]
    assert "| 统计征求意见表份数 | **未完成** | xx多 |" in before["checklist"]


def test_member_name_changes_every_page(tmp_path):
    after = pages_after_edit(tmp_path, "2022-county-development-reform-bureau.yml", "王建国", "王建民")
    for kind in PAGE_KINDS:
        # The call for opinions is a letter to the units: it names no member.
        assert kind == "opinions-form" or "王建民" in after[kind], kind
        assert "王建国" not in after[kind], kind
    assert "1.局长王建民同志代表党组班子并自己对照检查，其他党组成员同志对王建民同志开展批评。" in after["agenda"]
    assert "第一项议程：由局长王建民同志通报" in after["report"]


def test_rank_order_drives_the_agenda(tmp_path):
    pages = {kind: renderer().page(kind, load()["2022-county-development-reform-bureau"]) for kind in PAGE_KINDS}
    agenda = pages["agenda"]
    rounds = [agenda.index(f"{n}.") for n in range(1, 8)]
    assert rounds == sorted(rounds)
    assert "2.副局长李红梅同志对照检查，其他党组成员同志对李红梅同志开展批评。" in agenda
    assert "7.总经济师孙丽华同志对照检查，其他党组成员同志对孙丽华同志开展批评。" in agenda
    assert "8." not in agenda.split("第三项议程")[0].split("第二项议程")[1]


def test_report_warns_on_screen_about_unsupported_readiness_and_placeholders():
    fictional = renderer().page("report", load()["2022-county-development-reform-bureau"])
    warning = fictional.split('<div class="portal-document"')[0]
    assert '!!! warning portal-screen-only "尚不能上报' in warning
    assert "报告称“各项准备工作已基本就绪，具备召开民主生活会的条件”，但准备工作清单中还有 8 项未完成" in warning
    seed = renderer().page("report", load()["2021-county-gov-office"]).split('<div class="portal-document"')[0]
    assert "报告中还有未填写的内容：xx、x号、xjp、x中全会、xx村、xx余、xx多、xx个方面、xx条。" in seed


def test_focused_preview_loads_only_the_named_meeting():
    from macros.outputs.portal import Portal

    portal = Portal.load(ROOT, only={"2021-county-gov-office"})
    assert [m.id for m in portal.meetings] == ["2021-county-gov-office"]
    pages = ("index", "report", "agenda", "checklist", "plan", "opinions-form", "talk-records", "self-review", "host-script", "sign-in")
    assert set(portal.pages()) == {f"meetings/2021-county-gov-office/{p}.md" for p in pages}
