"""The only door to the disk: the vault's files, the index cache, the undo journal, git and templates."""
