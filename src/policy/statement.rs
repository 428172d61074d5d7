//! Reading statements into a normalised form and combining them into a verdict
//! (spec §1, §5, §6, §7, §8).

use serde_json::{Map, Value};

use super::action::{self, KmsGrant};
use super::condition::{self, Confinement};
use super::principal::{self, Class, Entry};
use super::reason::{Code, DenyNote, Evaluation, Reason, Verdict};
use super::zone::{Placement, TrustZone};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

enum Principals {
    Absent,
    Principal(Vec<Entry>),
    NotPrincipal(Vec<Entry>),
}

enum Actions {
    Absent,
    Action(Vec<String>),
    NotAction(Vec<String>),
}

struct Statement<'a> {
    index: usize,
    sid: Option<String>,
    effect: Effect,
    principals: Principals,
    actions: Actions,
    condition: Option<&'a Map<String, Value>>,
}

impl Statement<'_> {
    fn head(&self) -> String {
        head(self.index, self.sid.as_deref())
    }

    fn principal_display(&self) -> Vec<String> {
        match &self.principals {
            Principals::Absent => Vec::new(),
            Principals::Principal(e) => e.iter().map(Entry::label).collect(),
            Principals::NotPrincipal(e) if e.is_empty() => vec!["NotPrincipal (empty)".into()],
            Principals::NotPrincipal(e) => e.iter().map(|e| format!("NotPrincipal {}", e.label())).collect(),
        }
    }

    fn who(&self) -> String {
        match &self.principals {
            Principals::Absent => "no principal".into(),
            Principals::Principal(e) => {
                format!("Principal {}", e.iter().map(Entry::display).collect::<Vec<_>>().join(", "))
            }
            Principals::NotPrincipal(e) if e.is_empty() => "everyone (empty NotPrincipal)".into(),
            Principals::NotPrincipal(e) => format!(
                "everyone except NotPrincipal {}",
                e.iter().map(Entry::display).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    fn action_display(&self) -> Vec<String> {
        match &self.actions {
            Actions::Absent => Vec::new(),
            Actions::Action(a) => a.clone(),
            Actions::NotAction(a) if a.is_empty() => vec!["NotAction (empty)".into()],
            Actions::NotAction(a) => a.iter().map(|a| format!("NotAction {a}")).collect(),
        }
    }

    fn what(&self) -> String {
        match &self.actions {
            Actions::Absent => "nothing".into(),
            Actions::Action(a) => a.join(", "),
            Actions::NotAction(a) if a.is_empty() => "every action".into(),
            Actions::NotAction(a) => format!("every action except {}", a.join(", ")),
        }
    }

    fn reason(&self, code: Code, outcome: Option<Verdict>, message: String) -> Reason {
        Reason {
            code,
            statement_index: Some(self.index),
            sid: self.sid.clone(),
            effect: Some(match self.effect {
                Effect::Allow => "Allow".into(),
                Effect::Deny => "Deny".into(),
            }),
            principal: self.principal_display(),
            actions: self.action_display(),
            conditions: Vec::new(),
            denies: Vec::new(),
            outside: Vec::new(),
            outcome,
            message,
        }
    }
}

fn head(index: usize, sid: Option<&str>) -> String {
    match sid {
        Some(sid) => format!("Statement[{index}] (Sid \"{sid}\")"),
        None => format!("Statement[{index}]"),
    }
}

fn sid_of(obj: &Map<String, Value>) -> Option<String> {
    match obj.get("Sid") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

fn string_list(v: &Value, field: &str) -> Result<Option<Vec<String>>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(vec![s.clone()])),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("{field} holds a non-string {}", principal::kind_name(other))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(format!("{field} is a {}, not a string or list", principal::kind_name(other))),
    }
}

fn parse_statement(index: usize, v: &Value) -> Result<Statement<'_>, Reason> {
    let malformed = |sid: Option<String>, why: String| {
        let mut r = Reason::document(
            Code::MalformedStatement,
            format!("{} is malformed: {why}", head(index, sid.as_deref())),
        );
        r.statement_index = Some(index);
        r.sid = sid;
        r.outcome = Some(Verdict::Unknown);
        r
    };
    let Value::Object(obj) = v else {
        return Err(malformed(None, format!("it is a {}, not an object", principal::kind_name(v))));
    };
    let sid = sid_of(obj);
    let effect = match obj.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        None => return Err(malformed(sid, "it has no Effect".into())),
        Some(other) => return Err(malformed(sid, format!("Effect {other} is not \"Allow\" or \"Deny\""))),
    };
    let principals = match (obj.get("Principal"), obj.get("NotPrincipal")) {
        (Some(_), Some(_)) => return Err(malformed(sid, "it has both Principal and NotPrincipal".into())),
        (None, None) => Principals::Absent,
        (Some(p), None) => Principals::Principal(principal::parse(p).map_err(|w| malformed(sid.clone(), w))?),
        (None, Some(p)) => {
            Principals::NotPrincipal(principal::parse(p).map_err(|w| malformed(sid.clone(), format!("NotPrincipal: {w}")))?)
        }
    };
    let actions = match (obj.get("Action"), obj.get("NotAction")) {
        (Some(_), Some(_)) => return Err(malformed(sid, "it has both Action and NotAction".into())),
        (None, None) => Actions::Absent,
        (Some(a), None) => match string_list(a, "Action").map_err(|w| malformed(sid.clone(), w))? {
            None => Actions::Absent,
            Some(list) => Actions::Action(list),
        },
        (None, Some(a)) => {
            Actions::NotAction(string_list(a, "NotAction").map_err(|w| malformed(sid.clone(), w))?.unwrap_or_default())
        }
    };
    let condition = match obj.get("Condition") {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => Some(c),
        Some(other) => {
            return Err(malformed(
                sid,
                format!("Condition is a {}, not an object", principal::kind_name(other)),
            ));
        }
    };
    Ok(Statement { index, sid, effect, principals, actions, condition })
}

/// What a Deny statement can take away.
struct Deny<'s, 'a> {
    stmt: &'s Statement<'a>,
    /// `Ok` when its principal reaches every caller outside the zone (spec §5(a), §8.15).
    universal: Result<(), String>,
    /// Identity keys of the specific principals it names.
    named: Vec<String>,
    /// Its action patterns; `Err` when it cannot cover anything (NotAction, no action).
    patterns: Result<Vec<String>, String>,
    /// `Ok` when it applies to every outside caller (spec §5(c)).
    certain: Result<(), String>,
}

fn entry_placement(e: &Entry, zone: &TrustZone) -> Placement {
    match &e.class {
        Class::Account(a) => zone.account(a),
        Class::OwnerUnknown => zone.owner_unknown(format!("{} (owner unknown)", e.display())),
        Class::Open => Placement::Outside(e.display()),
        Class::OwnerAccount | Class::Service | Class::Nobody(_) => Placement::Inside,
    }
}

fn deny_of<'s, 'a>(stmt: &'s Statement<'a>, zone: &TrustZone) -> Deny<'s, 'a> {
    let (universal, named) = match &stmt.principals {
        Principals::Absent => (Err("it has no principal".to_string()), Vec::new()),
        Principals::Principal(entries) => {
            let universal = if entries.iter().any(Entry::reaches_every_caller) {
                Ok(())
            } else {
                Err("its principal does not reach every caller".to_string())
            };
            let named = entries.iter().filter(|e| e.class != Class::Open).map(Entry::identity_key).collect();
            (universal, named)
        }
        Principals::NotPrincipal(entries) => {
            let exempt_outsider = entries.iter().find(|e| !entry_placement(e, zone).is_inside());
            match exempt_outsider {
                None => (Ok(()), Vec::new()),
                Some(e) => (
                    Err(format!("its NotPrincipal exempts {}, which is outside the trust zone", e.display())),
                    Vec::new(),
                ),
            }
        }
    };
    let patterns = match &stmt.actions {
        Actions::Action(a) if !a.is_empty() => Ok(a.iter().map(|p| p.to_ascii_lowercase()).collect()),
        Actions::Action(_) | Actions::Absent => Err("it has no action".to_string()),
        Actions::NotAction(_) => Err("it uses NotAction, so it is not certain to cover the actions".to_string()),
    };
    let certain = condition::deny_applies_to_all_outsiders(stmt.condition, zone);
    Deny { stmt, universal, named, patterns, certain }
}

/// Who an Allow's outside access reaches, for Deny matching.
enum Target<'e> {
    Everyone,
    Entry(&'e Entry),
}

struct Cancellation {
    cancelled: bool,
    /// Indexes (into the deny list) of the Denies that took part.
    used: Vec<usize>,
}

fn cancel(target: &Target<'_>, grant: &[String], denies: &[Deny<'_, '_>]) -> Cancellation {
    let mut used = Vec::new();
    let mut patterns: Vec<&str> = Vec::new();
    for (i, d) in denies.iter().enumerate() {
        let reaches = d.universal.is_ok()
            || matches!(target, Target::Entry(e) if d.named.contains(&e.identity_key()));
        if !reaches || d.certain.is_err() {
            continue;
        }
        let Ok(p) = &d.patterns else { continue };
        used.push(i);
        patterns.extend(p.iter().map(String::as_str));
    }
    let cancelled = !used.is_empty() && action::deny_covers(&patterns, grant);
    Cancellation { cancelled, used: if cancelled { used } else { Vec::new() } }
}

fn deny_notes(denies: &[Deny<'_, '_>], used: &[usize], grant: &[String]) -> Vec<DenyNote> {
    denies
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let cancels = used.contains(&i);
            let why = if cancels {
                "denies these actions to every caller outside the trust zone".to_string()
            } else if let Err(w) = &d.patterns {
                w.clone()
            } else if let Err(w) = &d.certain {
                w.clone()
            } else if let Err(w) = &d.universal {
                w.clone()
            } else {
                format!("it does not cover every action granted ({})", grant.join(", "))
            };
            DenyNote { statement_index: d.stmt.index, sid: d.stmt.sid.clone(), cancels, why }
        })
        .collect()
}

fn deny_summary(notes: &[DenyNote]) -> String {
    let considered: Vec<String> = notes
        .iter()
        .filter(|n| !n.cancels)
        .map(|n| format!("Deny {} does not cancel it: {}", head(n.statement_index, n.sid.as_deref()), n.why))
        .collect();
    if considered.is_empty() { String::new() } else { format!("; {}", considered.join("; ")) }
}

fn cancelled_by(notes: &[DenyNote]) -> String {
    notes
        .iter()
        .filter(|n| n.cancels)
        .map(|n| head(n.statement_index, n.sid.as_deref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn allow_reason(s: &Statement<'_>, denies: &[Deny<'_, '_>], zone: &TrustZone) -> Reason {
    let head = s.head();
    let grant = match &s.actions {
        Actions::Absent => None,
        Actions::Action(a) if a.is_empty() => None,
        Actions::Action(a) => Some(action::grant_of_action(a)),
        Actions::NotAction(a) => Some(action::grant_of_not_action(a)),
    };
    let Some(grant) = grant else {
        return s.reason(Code::NoAction, None, format!("{head} grants nothing: no action"));
    };
    let entries = match &s.principals {
        Principals::Absent => None,
        Principals::Principal(e) if e.is_empty() => None,
        Principals::Principal(e) => Some(e),
        Principals::NotPrincipal(e) => Some(e),
    };
    let Some(entries) = entries else {
        return s.reason(Code::NoPrincipal, None, format!("{head} grants nothing: no principal"));
    };
    let KmsGrant::Patterns(grant) = grant else {
        return s.reason(Code::NoKmsAction, None, format!("{head} grants no KMS action ({})", s.what()));
    };
    let not_principal = matches!(s.principals, Principals::NotPrincipal(_));
    let lead = format!("{head}: {} may call {}", s.who(), s.what());
    let outsiders: Vec<&Entry> = if not_principal {
        Vec::new()
    } else {
        entries.iter().filter(|e| e.class != Class::Open && !entry_placement(e, zone).is_inside()).collect()
    };
    let open = not_principal || entries.iter().any(|e| e.class == Class::Open);

    if open {
        let (notes, confinement) = condition::analyse_allow(s.condition, zone);
        let mut reason = match confinement {
            Confinement::Inside(i) => {
                let why = notes.get(i).map(|n| n.why.clone()).unwrap_or_default();
                s.reason(Code::ConfinedInside, Some(Verdict::Private), format!("{lead}; confined: {why}"))
            }
            Confinement::Outside(names) => {
                let c = cancel(&Target::Everyone, &grant, denies);
                let dn = deny_notes(denies, &c.used, &grant);
                let mut r = if c.cancelled {
                    s.reason(
                        Code::CancelledByDeny,
                        Some(Verdict::Private),
                        format!(
                            "{lead}; its conditions admit callers outside the trust zone ({}), but {} denies them",
                            names.join(", "),
                            cancelled_by(&dn)
                        ),
                    )
                } else {
                    let mut r = s.reason(
                        Code::ConfinedOutside,
                        Some(Verdict::CrossAccount),
                        format!(
                            "{lead}; conditions confine callers to outside the trust zone: {}{}",
                            names.join(", "),
                            deny_summary(&dn)
                        ),
                    );
                    r.outside = names;
                    r
                };
                r.denies = dn;
                r
            }
            Confinement::None => {
                let mut targets: Vec<Target<'_>> = Vec::new();
                if not_principal {
                    targets.push(Target::Everyone);
                } else {
                    for e in entries.iter().filter(|e| e.class == Class::Open) {
                        targets.push(if e.reaches_every_caller() { Target::Everyone } else { Target::Entry(e) });
                    }
                }
                let results: Vec<Cancellation> = targets.iter().map(|t| cancel(t, &grant, denies)).collect();
                let open_cancelled = results.iter().all(|c| c.cancelled);
                let why_open = if notes.is_empty() {
                    "no condition confines the caller".to_string()
                } else {
                    let parts: Vec<String> = notes.iter().map(|n| format!("condition {}", n.why)).collect();
                    format!("no condition confines the caller: {}", parts.join("; "))
                };
                if !open_cancelled {
                    let dn = deny_notes(denies, &[], &grant);
                    let mut r = s.reason(
                        Code::OpenPrincipal,
                        Some(Verdict::Public),
                        format!("{lead}; {why_open}{}", deny_summary(&dn)),
                    );
                    r.denies = dn;
                    r.outside = vec!["*".into()];
                    r
                } else {
                    let mut used: Vec<usize> = results.iter().flat_map(|c| c.used.iter().copied()).collect();
                    let (remaining, more) = outside_after_denies(&outsiders, &grant, denies, zone);
                    used.extend(more);
                    let dn = deny_notes(denies, &used, &grant);
                    let mut r = if remaining.is_empty() {
                        s.reason(
                            Code::CancelledByDeny,
                            Some(Verdict::Private),
                            format!(
                                "{lead}; {why_open}, but {} denies it to every caller outside the trust zone",
                                cancelled_by(&dn)
                            ),
                        )
                    } else {
                        let mut r = s.reason(
                            Code::CrossAccountPrincipal,
                            Some(Verdict::CrossAccount),
                            format!(
                                "{lead}; Deny {} removes the open access, but it still names principals outside the trust zone: {}",
                                cancelled_by(&dn),
                                remaining.join(", ")
                            ),
                        );
                        r.outside = remaining;
                        r
                    };
                    r.denies = dn;
                    r
                }
            }
        };
        reason.conditions = notes;
        return reason;
    }

    if outsiders.is_empty() {
        let nobody: Vec<&'static str> = entries
            .iter()
            .filter_map(|e| if let Class::Nobody(why) = e.class { Some(why) } else { None })
            .collect();
        if nobody.len() == entries.len() {
            return s.reason(
                Code::UnreachablePrincipal,
                Some(Verdict::Private),
                format!("{lead}; {}", nobody.first().copied().unwrap_or("the principal matches nobody")),
            );
        }
        return s.reason(
            Code::TrustedPrincipal,
            Some(Verdict::Private),
            format!("{lead}; every principal is inside the trust zone or an AWS service"),
        );
    }
    let (remaining, used) = outside_after_denies(&outsiders, &grant, denies, zone);
    let dn = deny_notes(denies, &used, &grant);
    let mut r = if remaining.is_empty() {
        s.reason(
            Code::CancelledByDeny,
            Some(Verdict::Private),
            format!("{lead}; the outside principals are denied by {}", cancelled_by(&dn)),
        )
    } else {
        let mut r = s.reason(
            Code::CrossAccountPrincipal,
            Some(Verdict::CrossAccount),
            format!(
                "{lead}; it names principals outside the trust zone: {}{}",
                remaining.join(", "),
                deny_summary(&dn)
            ),
        );
        r.outside = remaining;
        r
    };
    r.denies = dn;
    r
}

/// The specific outside principals that no Deny takes away, named for the reason, and the
/// Denies that took part.
fn outside_after_denies(
    outsiders: &[&Entry],
    grant: &[String],
    denies: &[Deny<'_, '_>],
    zone: &TrustZone,
) -> (Vec<String>, Vec<usize>) {
    let mut remaining = Vec::new();
    let mut used = Vec::new();
    for e in outsiders {
        let c = cancel(&Target::Entry(e), grant, denies);
        if c.cancelled {
            used.extend(c.used);
        } else {
            let name = match entry_placement(e, zone) {
                Placement::Outside(n) | Placement::OwnerUnknown(n) => n,
                Placement::Inside => e.display(),
            };
            if !remaining.contains(&name) {
                remaining.push(name);
            }
        }
    }
    (remaining, used)
}

fn deny_reason(d: &Deny<'_, '_>) -> Reason {
    let s = d.stmt;
    let lead = format!("{}: Deny {} to {}", s.head(), s.what(), s.who());
    let message = match (&d.universal, &d.patterns, &d.certain) {
        (Ok(()), Ok(_), Ok(())) => format!("{lead}; applies to every caller outside the trust zone"),
        (u, p, c) => {
            let why = [p.as_ref().err(), c.as_ref().err(), u.as_ref().err()]
                .into_iter()
                .flatten()
                .next()
                .cloned()
                .unwrap_or_default();
            format!("{lead}; cannot cancel outside access on its own: {why}")
        }
    };
    s.reason(Code::DenyStatement, None, message)
}

/// Evaluates a whole document (spec §6 and §7.5).
pub(crate) fn evaluate_document(doc: &Value, zone: &TrustZone) -> Evaluation {
    let Value::Object(map) = doc else {
        return Evaluation::unknown(
            Code::PolicyNotObject,
            format!("the policy is a {}, not a JSON object", principal::kind_name(doc)),
        );
    };
    let raw: Vec<&Value> = match map.get("Statement") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        Some(other) => {
            return Evaluation::unknown(
                Code::InvalidStatementList,
                format!("Statement is a {}, not an object or a list", principal::kind_name(other)),
            );
        }
    };
    if raw.is_empty() {
        return Evaluation {
            verdict: Verdict::Private,
            reasons: vec![Reason::document(Code::NoStatements, "the policy has no statements: it grants nothing".into())],
        };
    }
    let mut reasons: Vec<Reason> = Vec::with_capacity(raw.len());
    let mut statements = Vec::with_capacity(raw.len());
    for (i, v) in raw.into_iter().enumerate() {
        match parse_statement(i, v) {
            Ok(s) => statements.push(s),
            Err(r) => reasons.push(r),
        }
    }
    let denies: Vec<Deny<'_, '_>> =
        statements.iter().filter(|s| s.effect == Effect::Deny).map(|s| deny_of(s, zone)).collect();
    for s in &statements {
        match s.effect {
            Effect::Allow => reasons.push(allow_reason(s, &denies, zone)),
            Effect::Deny => {
                if let Some(d) = denies.iter().find(|d| d.stmt.index == s.index) {
                    reasons.push(deny_reason(d));
                }
            }
        }
    }
    reasons.sort_by_key(|r| r.statement_index);
    let has = |v: Verdict| reasons.iter().any(|r| r.outcome == Some(v));
    let verdict = if has(Verdict::Public) {
        Verdict::Public
    } else if has(Verdict::Unknown) {
        Verdict::Unknown
    } else if has(Verdict::CrossAccount) {
        Verdict::CrossAccount
    } else {
        Verdict::Private
    };
    // Deciding reasons first, then malformed statements, then the rest in statement order.
    reasons.sort_by_key(|r| {
        let group = match r.outcome {
            Some(o) if o == verdict => 0,
            Some(Verdict::Unknown) => 1,
            _ => 2,
        };
        (group, weight(r.code))
    });
    Evaluation { verdict, reasons }
}

/// Among reasons of equal standing, the more telling ones come first: a person reading only
/// the first reason learns the most from a cancelled or confined statement.
fn weight(code: Code) -> u8 {
    match code {
        Code::OpenPrincipal => 0,
        Code::ConfinedOutside | Code::CrossAccountPrincipal => 1,
        Code::CancelledByDeny => 2,
        Code::ConfinedInside => 3,
        Code::MalformedStatement => 4,
        Code::UnreachablePrincipal => 5,
        Code::TrustedPrincipal => 6,
        _ => 7,
    }
}
