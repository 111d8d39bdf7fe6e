"""One module per dataset family: its registry entries (files, sources, licence) and its parser."""
