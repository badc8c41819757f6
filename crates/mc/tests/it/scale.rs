//! Scale-out: two `microcred serve` processes on one PostgreSQL database serve the same data
//! and share one cohort job queue; a job is worked on once, its progress is visible from
//! both, and it finishes when the process working on it is killed part-way.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{
    api::wait_for_job,
    support::{Env, Request, Server},
};

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";

fn cohort(prefix: &str, size: usize) -> Value {
    let learners: Vec<Value> = (0..size)
        .map(|idx| json!({"name": format!("Learner {prefix} {idx}"), "email": format!("{prefix}-{idx}@scale.example")}))
        .collect();
    json!({"spec": SPEC, "suite": "eddsa-jcs-2022", "learners": learners})
}

fn credentials_of(server: &Server, token: &str) -> usize {
    let answer = Request::new(server.addr, "GET", &format!("/api/v1/credentials?spec={SPEC}")).token(token).send();
    answer.json()["credentials"].as_array().unwrap().len()
}

#[test]
fn two_servers_share_the_data_and_the_job_queue() {
    let Some(env) = Env::postgres() else {
        assert!(std::env::var_os("CI").is_none(), "CI runs the PostgreSQL tests");
        eprintln!("skipped: MC_TEST_POSTGRES_URL is not set");
        return;
    };
    env.ok(&["demo"]);
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let a = Server::start(&env, &["--job-lease", "2"]);
    let b = Server::start(&env, &["--job-lease", "2"]);

    // What one writes, the other serves.
    let issued = Request::new(a.addr, "POST", "/api/v1/credentials/issue")
        .token(&token)
        .json(&json!({"spec": SPEC, "learner": "aino.virtanen@learners.example", "name": "Aino Virtanen"}));
    assert_eq!(issued.status, 201, "{}", issued.body);
    let id = issued.json()["credential"]["id"].as_str().unwrap().to_owned();
    let seen = Request::new(b.addr, "GET", &format!("/api/v1/credentials/{id}")).token(&token).send();
    assert_eq!(seen.json()["credential"]["state"], "active");
    let revoked = Request::new(b.addr, "POST", &format!("/api/v1/credentials/{id}/revoke"))
        .token(&token)
        .json(&json!({"reason": "scale test"}));
    assert_eq!(revoked.status, 200);
    let document = issued.json()["document"].to_string();
    let verdict = crate::support::post(a.addr, "/api/v1/credentials/verify", "application/json", document.as_bytes());
    assert_eq!(verdict.json()["verdict"], "invalid", "A sees B's revocation: {}", verdict.body);

    // A job submitted to A is done once, whichever takes it, and both report it.
    let job = Request::new(a.addr, "POST", "/api/v1/cohorts").token(&token).json(&cohort("shared", 600));
    assert_eq!(job.status, 202, "{}", job.body);
    let job_id = job.json()["id"].as_str().unwrap().to_owned();
    let done = wait_for_job(b.addr, &token, &job_id);
    assert_eq!((done["state"].as_str(), done["issued"].as_u64()), (Some("done"), Some(600)), "{done}");
    assert_eq!(wait_for_job(a.addr, &token, &job_id), done, "both report the same");
    let taken =
        [&a, &b].iter().map(|server| server.logged(&format!("cohort job done job.id={job_id}")).len()).sum::<usize>();
    assert_eq!(taken, 1, "one worker finished the job");
    assert_eq!(credentials_of(&a, &token), 601);
    b.stop();

    // A job whose worker dies part-way is resumed by another, and nothing is issued twice.
    let job = Request::new(a.addr, "POST", "/api/v1/cohorts").token(&token).json(&cohort("crash", 4000));
    let job_id = job.json()["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let progress = Request::new(a.addr, "GET", &format!("/api/v1/cohorts/{job_id}")).token(&token).send().json();
        assert_ne!(progress["state"], "done", "the job finished before it could be interrupted; make it larger");
        if progress["processed"].as_u64().unwrap() > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the job never started: {progress}");
        std::thread::sleep(Duration::from_millis(20));
    }
    a.kill();
    let c = Server::start(&env, &["--job-lease", "2"]);
    let done = wait_for_job(c.addr, &token, &job_id);
    assert_eq!((done["state"].as_str(), done["processed"].as_u64()), (Some("done"), Some(4000)), "{done}");
    assert_eq!(done["issued"].as_u64().unwrap() + done["skipped"].as_u64().unwrap(), 4000, "{done}");
    assert!(!c.logged(&format!("cohort job taken job.id={job_id}")).is_empty(), "the new server resumed it");
    assert_eq!(credentials_of(&c, &token), 4601, "every learner issued exactly once");
    let audit = env.ok(&["audit", "verify"]);
    assert!(audit.contains("intact"), "{audit}");
    c.stop();
}
