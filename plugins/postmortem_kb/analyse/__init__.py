"""Analyses over the corpus: the factor graph, open remediation, insights."""
