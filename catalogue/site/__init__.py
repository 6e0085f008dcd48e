"""The public pages: start, search, providers, districts, guidance, Min lista, Hitta rätt, short links,
and the view models they render (next steps, whom to contact in a district)."""
