-- SERVQUAL item means for the dimension table: each item's E and P are averaged over the
-- respondents who answered that item on both sides; n per dimension counts respondents with at
-- least one such pair in it.
SELECT {item_means}
FROM servqual_current s
WHERE {where}
