"""Before the week: the council's documents and performance data, set beside what people say.

`indicators` assesses the data (line of enquiry, trend, comparators, outliers), `claims` sets the documents'
claims and the data beside the voices' verdict on each hypothesis, `proposals` drafts hypotheses from the
documents' stated weaknesses and the data's outliers, `summary` puts the three together for a report.
"""
