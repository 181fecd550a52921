CREATE INDEX share_grant_owner IF NOT EXISTS FOR (g:ShareGrant) ON (g.owner_id)
