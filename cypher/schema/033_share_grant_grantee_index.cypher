CREATE INDEX share_grant_grantee IF NOT EXISTS FOR (g:ShareGrant) ON (g.grantee_id, g.owner_id)
