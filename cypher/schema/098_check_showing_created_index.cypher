CREATE RANGE INDEX check_showing_created IF NOT EXISTS FOR (s:CheckShowing) ON (s.created_at)
