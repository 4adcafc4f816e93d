"""Use cases of the office, one function each (ISSUE 10 item 3).

Each validates its input, writes the office database in one transaction and
appends the journal; the CLI and the web application call these and hold no rule
logic of their own, so that both behave alike and leave the same audit trail.
"""
