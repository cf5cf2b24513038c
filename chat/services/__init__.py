"""Use cases shared by realtime/ and http/."""
