"""The rules: one definition each, beside its check (rule.py, registry.py); the phrase
rules' patterns are data (language.yml)."""
