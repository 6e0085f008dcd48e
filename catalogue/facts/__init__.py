"""What a fact about an offering is: the controlled vocabularies, the provider fields, their checks,
how old their evidence is, and the one rule for text that comes in. Imports nothing of the layers above."""
