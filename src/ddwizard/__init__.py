"""ddwizard: choose an institutional crypto custodian and defend the choice in a memo."""

__version__ = "0.1.0"
