"""The customer-callback programme of issue 19 (客户回访, SPEC §4d): the quarterly draw, results and second callbacks."""
