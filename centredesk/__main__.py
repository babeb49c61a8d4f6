from centredesk.cli import entry

entry()
