-- SERVQUAL gap per respondent: each dimension's gap is the mean P - E over the items answered on
-- both sides. The respondent's total weighs the dimension gaps by their 100 points when all five
-- weights are given and add up to 100 (renormalised over the dimensions answered), else it is the
-- plain mean of the dimension gaps answered.
WITH r AS (
    SELECT {groups}
        {dimension_gaps},
        {weight_columns}
    FROM servqual_current s
    WHERE {where}
),
totals AS (
    SELECT *,
        CASE WHEN {weights_valid} AND {weight_answered} > 0 THEN {weighted_sum} / {weight_answered}
             ELSE {equal_mean} END AS total
    FROM r
)
SELECT {group_names}
    avg(total) AS servqual_gap, count(total) AS n_servqual_gap
FROM totals
GROUP BY ALL
