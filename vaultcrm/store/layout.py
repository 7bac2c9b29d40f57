"""Where vaultcrm keeps its state in a vault, and the index's schema number: the names the light
readers (shell completion) share with the store, in one place that imports nothing."""

STATE_DIR = ".vaultcrm"  # lock, journal, index, templates
INDEX_FILE = "index.sqlite"
SCHEMA = 27  # bump whenever what a record holds changes (task ids, link keys)
BUILTIN_KINDS = ("customer", "prospect", "partner", "person", "meeting")  # kinds `new` has a template for
