-- sections.sql: the sections of the monthly report, each a function returning HTML.


