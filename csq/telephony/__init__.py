"""Telephony: Erlang C staffing (erlang), the interval forecast and staffing table (staffing), the page's views."""
