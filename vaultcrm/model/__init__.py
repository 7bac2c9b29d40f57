"""The pure note model: text in, structure and edits out; no disk, no terminal."""
