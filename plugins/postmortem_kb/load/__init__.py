"""Loading: files → front matter with a line map, sections, the corpus."""
