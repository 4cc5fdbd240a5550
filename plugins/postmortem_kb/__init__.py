"""postmortem-kb: blameless postmortems, checked in CI and published with MkDocs."""

__version__ = "0.1.0"
