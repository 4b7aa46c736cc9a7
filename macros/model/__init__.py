"""The meeting file: strict YAML with line numbers, the schema, cross-checks and named facts."""
