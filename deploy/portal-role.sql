-- The database role of the internet zone's portal process (ANXIN_ZONE=public; issue #21).
--
-- Run by the owner of Anxin's tables, in Anxin's database, after every `manage.py migrate` (a new
-- table is granted to nobody until this runs again): deploy/portal-role.sh does both and sets the
-- role's password. Idempotent. docs/operations.md ("两个网络区域") says why each grant is here.
--
-- The portal may: write a worker's report, its photos and its events (the internal zone's tick
-- routes it: the portal reads no enterprise, project, unit's staff or user), read a report only
-- when the connection names it by its tracking code (or by the phone a proved recovery named),
-- rate and add material to that report, keep its rate-limit buckets, captcha and sessions, queue
-- its SMS and leave notices for the tick to deliver; read what the tick copies for it (the case's
-- progress, the notice boards' projects, the listings in force) and the published violations. It
-- may not read the enterprises, the projects, the workers and rosters, the users, the cases, the
-- money, the monitoring, the listings, the audit log, or any other report. The 计酬手册 lookup
-- reads the copy the tick writes of the one worker the connection names, never the rosters.

SET client_min_messages = warning;  -- the DROP … IF EXISTS of a first run say nothing

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anxin_portal') THEN
        CREATE ROLE anxin_portal NOLOGIN;
    END IF;
END
$$;

-- Start from nothing: whatever an earlier run or a default privilege gave is taken back.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM anxin_portal;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM anxin_portal;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM anxin_portal;
GRANT USAGE ON SCHEMA public TO anxin_portal;

-- Reference data the portal's pages and checks read (published, no personal data): the public
-- channel, the policy parameters (limits, deadlines), the working-day calendar, the towns and the
-- units with their public phones, the content types auditlog names.
GRANT SELECT ON intake_channel, core_policyparameter, core_calendarday, org_town, org_unit,
    django_content_type TO anxin_portal;
-- What a site's notice board prints (project name, town, general contractor), as the internal
-- zone's tick copies it for the report form its QR code opens; not the projects themselves.
GRANT SELECT ON intake_portalproject TO anxin_portal;
-- The public page of 重大劳动保障违法行为 and the 失信名单: the published entries within their dates
-- (row-level security below) with their batches, and the copies of the listings in force the tick
-- writes (credit_publiclisting: name, code, condition, persons by role and name); not the listings,
-- the listed persons or the enterprises themselves.
GRANT SELECT ON credit_publicationentry, credit_publicationbatch, credit_publiclisting TO anxin_portal;

-- The worker's 计酬手册: the copy the tick writes (sites_portalhandbook: name, masked ID number,
-- the stretches' months, the phone the code goes to), keyed by the ID number's blind index and
-- visible only for the index the connection names (row-level security below); not the rosters,
-- payrolls or enterprises themselves.
GRANT SELECT ON sites_portalhandbook TO anxin_portal;

-- The portal's own state: sessions, captcha challenges, rate limits, lost-code recovery, the
-- 计酬手册's SMS codes and per-address limits.
GRANT SELECT, INSERT, UPDATE, DELETE ON django_session, captcha_captchastore TO anxin_portal;
GRANT SELECT, INSERT, UPDATE ON intake_portalattempt, intake_portalbucket, intake_recoverycode,
    sites_handbookcode, sites_handbooklimit TO anxin_portal;

-- Written, never read back beyond the new row's id: the audit log, the SMS outbox and its queue,
-- the notices the tick delivers, and the material added to a merged report, whose main report's
-- handlers the tick tells (intake_materialrelay: the report's and the event's ids).
GRANT INSERT ON auditlog_logentry, notify_smsmessage, notify_pendingnotice,
    django_tasks_database_dbtaskresult, intake_materialrelay TO anxin_portal;
GRANT SELECT (id) ON auditlog_logentry, notify_smsmessage, notify_pendingnotice,
    django_tasks_database_dbtaskresult, intake_materialrelay TO anxin_portal;

-- The system account the portal's writes are attributed to (created_by, audit actor): its id,
-- name, unusable password, e-mail (the audit row copies it) and active flag, and no other account
-- (row-level security below).
GRANT SELECT (id, username, password, email, is_active) ON org_user TO anxin_portal;

-- The reports: written freely, read and changed only as the connection names them.
GRANT SELECT, INSERT, UPDATE ON intake_signal TO anxin_portal;
GRANT SELECT, INSERT ON intake_signalevent, intake_signalattachment TO anxin_portal;
GRANT SELECT, UPDATE ON intake_reportclosure TO anxin_portal;
-- The case's progress and the worker's own claim as the internal zone's tick wrote them for the
-- status page (the portal reads no case and no claim).
GRANT SELECT ON intake_publicprogress TO anxin_portal;

-- The reports the connection names: the one whose tracking code it set (anxin.portal_code), or
-- those filed with the phone of a proved recovery (anxin.portal_phone). Not the report it was
-- merged into, which holds another worker's name and phone: the internal zone's tick reopens that
-- one after a 不满意 (intake.services.merged_reopens_follow). SECURITY DEFINER: it reads the
-- table as its owner, which row-level security does not restrict, so the policies below can use
-- it without recursing.
CREATE OR REPLACE FUNCTION anxin_portal_signal_ids() RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT s.id FROM intake_signal s
     WHERE s.tracking_code = nullif(current_setting('anxin.portal_code', true), '')
    UNION
    SELECT s.id FROM intake_signal s
     WHERE s.reporter_phone_index = nullif(current_setting('anxin.portal_phone', true), '')
       AND s.tracking_code IS NOT NULL
$$;
REVOKE ALL ON FUNCTION anxin_portal_signal_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION anxin_portal_signal_ids() TO anxin_portal;

ALTER TABLE intake_signal ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_signalevent ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_signalattachment ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_reportclosure ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_publicprogress ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_publicationentry ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_publicationbatch ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_publiclisting ENABLE ROW LEVEL SECURITY;
ALTER TABLE sites_portalhandbook ENABLE ROW LEVEL SECURITY;

-- Row-level security restricts only the roles given a policy; the owner (the internal zone) and
-- any other role keep every row (the policies name the portal's role alone; the owner bypasses them).
DROP POLICY IF EXISTS anxin_internal ON intake_signal;
DROP POLICY IF EXISTS anxin_internal ON intake_signalevent;
DROP POLICY IF EXISTS anxin_internal ON intake_signalattachment;
DROP POLICY IF EXISTS anxin_internal ON intake_reportclosure;
DROP POLICY IF EXISTS anxin_internal ON intake_publicprogress;
DROP POLICY IF EXISTS anxin_internal ON org_user;
DROP POLICY IF EXISTS anxin_internal ON credit_publicationentry;
DROP POLICY IF EXISTS anxin_internal ON credit_publicationbatch;
DROP POLICY IF EXISTS anxin_internal ON credit_publiclisting;
DROP POLICY IF EXISTS anxin_internal ON sites_portalhandbook;
CREATE POLICY anxin_internal ON intake_signal USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON intake_signalevent USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON intake_signalattachment USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON intake_reportclosure USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON intake_publicprogress USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON org_user USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON credit_publicationentry USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON credit_publicationbatch USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON credit_publiclisting USING (current_user <> 'anxin_portal');
CREATE POLICY anxin_internal ON sites_portalhandbook USING (current_user <> 'anxin_portal');

DROP POLICY IF EXISTS anxin_portal_read ON intake_signal;
DROP POLICY IF EXISTS anxin_portal_write ON intake_signal;
DROP POLICY IF EXISTS anxin_portal_change ON intake_signal;
-- The named report (a new row carries the code the connection just named, so it is read back).
CREATE POLICY anxin_portal_read ON intake_signal FOR SELECT TO anxin_portal
    USING (tracking_code = nullif(current_setting('anxin.portal_code', true), '')
           OR id IN (SELECT anxin_portal_signal_ids()));
CREATE POLICY anxin_portal_write ON intake_signal FOR INSERT TO anxin_portal
    WITH CHECK (tracking_code = nullif(current_setting('anxin.portal_code', true), ''));
CREATE POLICY anxin_portal_change ON intake_signal FOR UPDATE TO anxin_portal
    USING (id IN (SELECT anxin_portal_signal_ids()));

DROP POLICY IF EXISTS anxin_portal_read ON intake_signalevent;
DROP POLICY IF EXISTS anxin_portal_write ON intake_signalevent;
CREATE POLICY anxin_portal_read ON intake_signalevent FOR SELECT TO anxin_portal
    USING (signal_id IN (SELECT anxin_portal_signal_ids()));
CREATE POLICY anxin_portal_write ON intake_signalevent FOR INSERT TO anxin_portal
    WITH CHECK (signal_id IN (SELECT anxin_portal_signal_ids()));

DROP POLICY IF EXISTS anxin_portal_read ON intake_signalattachment;
DROP POLICY IF EXISTS anxin_portal_write ON intake_signalattachment;
CREATE POLICY anxin_portal_read ON intake_signalattachment FOR SELECT TO anxin_portal
    USING (signal_id IN (SELECT anxin_portal_signal_ids()));
CREATE POLICY anxin_portal_write ON intake_signalattachment FOR INSERT TO anxin_portal
    WITH CHECK (signal_id IN (SELECT anxin_portal_signal_ids()));

DROP POLICY IF EXISTS anxin_portal_read ON intake_reportclosure;
DROP POLICY IF EXISTS anxin_portal_change ON intake_reportclosure;
CREATE POLICY anxin_portal_read ON intake_reportclosure FOR SELECT TO anxin_portal
    USING (signal_id IN (SELECT anxin_portal_signal_ids()));
CREATE POLICY anxin_portal_change ON intake_reportclosure FOR UPDATE TO anxin_portal
    USING (signal_id IN (SELECT anxin_portal_signal_ids()));

DROP POLICY IF EXISTS anxin_portal_read ON intake_publicprogress;
CREATE POLICY anxin_portal_read ON intake_publicprogress FOR SELECT TO anxin_portal
    USING (signal_id IN (SELECT anxin_portal_signal_ids()));

DROP POLICY IF EXISTS anxin_portal_read ON org_user;
CREATE POLICY anxin_portal_read ON org_user FOR SELECT TO anxin_portal USING (username = 'system');

-- The public page's days are the district's (Asia/Shanghai), as the app's.
DROP POLICY IF EXISTS anxin_portal_read ON credit_publicationentry;
CREATE POLICY anxin_portal_read ON credit_publicationentry FOR SELECT TO anxin_portal
    USING (status = 'published'
           AND published_on <= (now() AT TIME ZONE 'Asia/Shanghai')::date
           AND visible_until >= (now() AT TIME ZONE 'Asia/Shanghai')::date);
DROP POLICY IF EXISTS anxin_portal_read ON credit_publicationbatch;
CREATE POLICY anxin_portal_read ON credit_publicationbatch FOR SELECT TO anxin_portal
    USING (id IN (SELECT batch_id FROM credit_publicationentry));
DROP POLICY IF EXISTS anxin_portal_read ON credit_publiclisting;
CREATE POLICY anxin_portal_read ON credit_publiclisting FOR SELECT TO anxin_portal
    USING (term_start <= (now() AT TIME ZONE 'Asia/Shanghai')::date
           AND term_end >= (now() AT TIME ZONE 'Asia/Shanghai')::date);

-- The 计酬手册 copy of the worker the connection names (anxin.portal_id: the blind index of the ID
-- number the worker typed, or proved with the SMS code).
DROP POLICY IF EXISTS anxin_portal_read ON sites_portalhandbook;
CREATE POLICY anxin_portal_read ON sites_portalhandbook FOR SELECT TO anxin_portal
    USING (id_index = nullif(current_setting('anxin.portal_id', true), ''));
