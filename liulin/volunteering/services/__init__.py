"""Every write of volunteering, one module per entity (ledger, teams, activities, records,
team_hours, shop, certificates, youth): keyword-only, the acting user first, one transaction each."""
