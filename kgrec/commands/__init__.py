"""Sub-commands of `kgrec`, discovered by `kgrec.cli`."""
