"""Plans and their structure: committees, domains, goals, measures, targets; the importer and target parser."""
