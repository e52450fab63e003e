"""The reports (#27): the daily report the customer's rules require (每日报修、报修完成、回访情况)
and everything around it — anomalies, call-backs, the queue from Asterisk's queue_log, agents,
stations, hot spots — as JSON that a table, an XLSX, the desk or a PDF render without recomputing;
the head's sign-off and the archive; weeks, months and the season as sums of their days.

queue: the queue section, a pure function over queue_log events; figures: the rest, from the
records; archive: signing, differences, periods, who may; xlsx: the workbook."""
