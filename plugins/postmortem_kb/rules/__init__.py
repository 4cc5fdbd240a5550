"""The rules: a registry of codes and names (rules.yml), phrase rules as data (language.yml)."""
