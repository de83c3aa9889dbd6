"""The `gantools` command line: thin Click commands that parse, call the library and print."""
