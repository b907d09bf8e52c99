"""The documents the committee hands on: the XLSX status report and the DOCX evaluation report draft."""
