"""Quality checks on recordings (#28), as the customer's rules run them (002 录音抽查制度 and 服务规范,
001 质检人员工作规范): the daily ≥10 % sample per agent and the head's weekly one, scorecards from
versioned standards (standards/*.toml), written check results with findings, peer listening
(录音由大家共同检查, 知情不报), findings the tickets' corrections propose, and the results: pass rates,
findings, fines, complaints, retraining, the checkers' own record.

rules: the arithmetic (the draw, a check's pass, fines), no database; standards: the data files
into versioned rows; work: the rules for people, one transaction per call; report: the daily
report's qa section (no import of the reports, which import it)."""
