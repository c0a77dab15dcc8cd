"""The customer-callback programme of issue 19 (客户回访, SPEC §4d): quarterly draw, results, second callbacks."""
