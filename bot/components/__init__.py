"""Custom NLU components for the ASB assistant."""
