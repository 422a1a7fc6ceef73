-- A synthetic city for the dashboard's query plans (docs/dashboard.md): 12 districts, 20,000
-- grassroots unions, 3 campaigns x 10,000 nominations with their member evaluations and
-- spot checks, and 1,000,000 ballots. Run on an empty, migrated database of your own:
--   createdb dash_demo; DATABASE_URL=postgresql://…/dash_demo flask --app wsgi db upgrade
--   psql dash_demo -v ON_ERROR_STOP=1 -f docs/dashboard-synthetic.sql
BEGIN;
INSERT INTO organizations (id, code, name, level, is_state_owned)
VALUES (1, 'C', '合成市总工会', 'city', false);
INSERT INTO organizations (id, code, name, level, parent_id, is_state_owned)
SELECT d, 'D' || lpad(d::text, 2, '0'), '第' || d || '区总工会',
       CASE WHEN d > 11 THEN 'industry' ELSE 'district' END, 1, false
FROM generate_series(2, 13) d;
INSERT INTO organizations (id, code, name, level, parent_id, category, is_state_owned,
                           staff_count, member_count)
SELECT 13 + g, 'G' || g, '基层工会' || g, 'grassroots', 2 + g % 12,
       (ARRAY['enterprise', 'public_institution', 'regional'])[1 + g % 3], g % 7 = 0,
       50 + g % 500, 45 + g % 480
FROM generate_series(1, 20000) g;
SELECT setval('organizations_id_seq', 20013);
INSERT INTO org_closure (ancestor_id, descendant_id, depth)
SELECT id, id, 0 FROM organizations
UNION ALL SELECT parent_id, id, 1 FROM organizations WHERE parent_id IS NOT NULL
UNION ALL SELECT 1, id, 2 FROM organizations WHERE level = 'grassroots';

INSERT INTO campaigns (id, name, year, level, status, award_types, organizer_id, created_at)
SELECT c, (2023 + c) || '年度市级模范职工之家评选', 2023 + c, 'city',
       CASE WHEN c = 3 THEN 'open' ELSE 'closed' END, '["model_home"]', 1, now()
FROM generate_series(1, 3) c;
SELECT setval('campaigns_id_seq', 3);
INSERT INTO campaign_quotas (campaign_id, district_id, quota)
SELECT c, d, 40 FROM generate_series(1, 3) c, generate_series(2, 13) d;

-- 10,000 nominations per campaign; the states weighted roughly as a campaign runs.
INSERT INTO nominations (campaign_id, org_id, award_type, status, version, created_at,
                         updated_at, due_on)
SELECT 1 + (n - 1) / 10000, 14 + (n * 7919) % 20000, 'model_home',
       (ARRAY['draft', 'submitted', 'submitted', 'returned', 'rejected', 'withdrawn',
              'member_evaluation', 'member_evaluation', 'evaluation_failed', 'awaiting_draw',
              'spot_check', 'rectification', 'spot_check_failed', 'candidate', 'candidate',
              'publicity', 'commended', 'commended', 'honour_rectification',
              'not_commended', 'revoked'])[1 + (n * 31) % 21],
       1, now(), now(), current_date + ((n * 13) % 120 - 60)
FROM generate_series(1, 30000) n;
UPDATE nominations SET due_on = NULL
WHERE status IN ('rejected', 'withdrawn', 'evaluation_failed', 'spot_check_failed',
                 'not_commended', 'revoked', 'commended');

INSERT INTO member_evaluations (nomination_id, status, opens_at, closes_at, member_count,
                                dimensions, opened_at, turnout, satisfaction_rate, passed)
SELECT id,
       CASE WHEN status = 'member_evaluation' THEN 'open' ELSE 'closed' END,
       now() - interval '20 days', now() - interval '5 days', 100, '[]', now(),
       CASE WHEN status = 'member_evaluation' THEN NULL ELSE 0.5 + (id % 50) / 100.0 END,
       CASE WHEN status = 'member_evaluation' THEN NULL ELSE 0.75 + (id % 26) / 100.0 END,
       CASE WHEN status = 'member_evaluation' THEN NULL ELSE status <> 'evaluation_failed' END
FROM nominations
WHERE status NOT IN ('draft', 'submitted', 'returned', 'rejected', 'withdrawn');

INSERT INTO spot_check_draws (id, campaign_id, scope_org_id, method, value, seed_commitment,
                              status, announced_at)
SELECT c, c, 1, 'ratio', '0.2', repeat('0', 64), 'applied', now() FROM generate_series(1, 3) c;
INSERT INTO spot_checks (nomination_id, draw_id, conclusion, rectification_decision, updated_at)
SELECT id, campaign_id,
       CASE WHEN status = 'spot_check' THEN NULL
            WHEN status IN ('rectification') THEN 'rectify'
            WHEN status = 'spot_check_failed' THEN (ARRAY['fail', 'rectify'])[1 + id % 2]
            ELSE (ARRAY['pass', 'rectify'])[1 + id % 2] END,
       CASE WHEN status = 'spot_check_failed' AND id % 2 = 1 THEN 'reject'
            WHEN status NOT IN ('spot_check', 'rectification', 'spot_check_failed')
                 AND id % 2 = 1 THEN 'accept' END,
       now()
FROM nominations
WHERE status IN ('spot_check', 'rectification', 'spot_check_failed')
   OR (status IN ('candidate', 'publicity', 'commended', 'honour_rectification',
                  'not_commended', 'revoked') AND id % 5 = 0);

-- 1,000,000 anonymous ballots over the closed evaluations (the dashboard never reads them:
-- the closed evaluation stores its result).
INSERT INTO ballots (id, evaluation_id, voted_on, overall)
SELECT md5(b::text), e.id, current_date - 10,
       (ARRAY['satisfied', 'satisfied', 'basic', 'dissatisfied'])[1 + b % 4]
FROM generate_series(1, 1000000) b
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k, count(*) OVER () AS total
      FROM member_evaluations WHERE status = 'closed') e ON e.k = 1 + b % e.total;
COMMIT;
VACUUM ANALYZE;  -- index-only scans need the visibility map, as autovacuum keeps it
