// present.cpp — an existing file of the miniature repository (docs-reference checker test).
