"""Pages of 雷锋哨. Thin: a form parses the input, a selector reads (scoped), one service writes.

intake.py   the operator console, the resident's self-service page, the grid patrol report
queues.py   the whistle home, the dispatcher queue, worklists, the supervisor board
ticket.py   the ticket page, its action forms and the access-checked photo view
resident.py "my requests", rating and withdrawal
whistles.py blowing a whistle, departments' report-in, verification, rating, ranking
public.py   the anonymised public transparency page
"""
