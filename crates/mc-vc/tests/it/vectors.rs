//! The W3C Data Integrity vectors (vc-di-eddsa, vc-di-ecdsa) and the Open Badges 3.0
//! implementation-guide vector: canonical forms, hashes, signatures and proof values, byte for
//! byte.

use mc_vc::{
    did,
    multikey::{KeyType, PublicKey, SecretKey},
    proof::{self, ProofOptions, Suite},
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha384};

use crate::support::{object, text};

/// One official vector: where its files are and what they are called.
struct Vector {
    dir: &'static str,
    suffix: &'static str,
    unsigned: &'static str,
    keys: &'static str,
    suite: Suite,
}

const VECTORS: &[Vector] = &[
    Vector {
        dir: "vc-di-eddsa/TestVectors/eddsa-rdfc-2022",
        suffix: "DataInt",
        unsigned: "vc-di-eddsa/TestVectors/unsigned.json",
        keys: "vc-di-eddsa/TestVectors/keyPair.json",
        suite: Suite::EddsaRdfc2022,
    },
    Vector {
        dir: "vc-di-eddsa/TestVectors/eddsa-jcs-2022",
        suffix: "JCS",
        unsigned: "vc-di-eddsa/TestVectors/unsigned.json",
        keys: "vc-di-eddsa/TestVectors/keyPair.json",
        suite: Suite::EddsaJcs2022,
    },
    Vector {
        dir: "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256",
        suffix: "ECDSAP256",
        unsigned: "vc-di-ecdsa/TestVectors/unsigned.json",
        keys: "vc-di-ecdsa/TestVectors/p256KeyPair.json",
        suite: Suite::EcdsaRdfc2019,
    },
    Vector {
        dir: "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384",
        suffix: "ECDSAP384",
        unsigned: "vc-di-ecdsa/TestVectors/unsigned.json",
        keys: "vc-di-ecdsa/TestVectors/p384KeyPair.json",
        suite: Suite::EcdsaRdfc2019,
    },
    Vector {
        dir: "vc-di-ecdsa/TestVectors/ecdsa-jcs-2019-p256",
        suffix: "JCSECDSAP256",
        unsigned: "vc-di-ecdsa/TestVectors/unsigned.json",
        keys: "vc-di-ecdsa/TestVectors/p256KeyPair.json",
        suite: Suite::EcdsaJcs2019,
    },
    Vector {
        dir: "vc-di-ecdsa/TestVectors/ecdsa-jcs-2019-p384",
        suffix: "JCSECDSAP384",
        unsigned: "vc-di-ecdsa/TestVectors/unsigned.json",
        keys: "vc-di-ecdsa/TestVectors/p384KeyPair.json",
        suite: Suite::EcdsaJcs2019,
    },
];

fn public_key(keys: &Map<String, Value>) -> PublicKey {
    PublicKey::from_multibase(keys["publicKeyMultibase"].as_str().unwrap()).unwrap()
}

fn secret_key(keys: &Map<String, Value>) -> Option<SecretKey> {
    let multibase = keys.get("secretKeyMultibase").or_else(|| keys.get("privateKeyMultibase"))?;
    SecretKey::from_multibase(multibase.as_str().unwrap()).ok()
}

fn without(object: &Map<String, Value>, key: &str) -> Map<String, Value> {
    let mut object = object.clone();
    object.remove(key);
    object
}

#[test]
fn data_integrity_vectors_reproduce() {
    for vector in VECTORS {
        let file = |name: &str| format!("{}/{name}{}", vector.dir, vector.suffix);
        let unsigned = object(vector.unsigned);
        let config = object(&format!("{}.json", file("proofConfig")));
        let keys = object(vector.keys);
        let public = public_key(&keys);

        let (canonical_config, canonical_document) = proof::transform(vector.suite, &unsigned, &config).unwrap();
        assert_eq!(canonical_document, text(&format!("{}.txt", file("canonDoc"))), "{} canonical document", vector.dir);
        assert_eq!(canonical_config, text(&format!("{}.txt", file("proofCanon"))), "{} canonical proof", vector.dir);
        let data = proof::hash_data(vector.suite, public.key_type(), &unsigned, &config).unwrap();
        assert_eq!(
            hex::encode(&data),
            text(&format!("{}.txt", file("combinedHash"))).trim(),
            "{} hash data",
            vector.dir
        );

        let signed = object(&format!("{}.json", file("signed")));
        let expected_value = text(&format!("{}.txt", file("sigBTC58"))).trim().to_owned();
        let signed_proof = signed["proof"].as_object().unwrap();
        assert_eq!(signed_proof["proofValue"], expected_value, "{}", vector.dir);
        assert_eq!(proof::verify(&signed, signed_proof, &public), Ok(vector.suite), "{} verifies", vector.dir);

        if let Some(secret) = secret_key(&keys).filter(|key| key.key_type() != KeyType::P384) {
            let options = ProofOptions {
                verification_method: config["verificationMethod"].as_str().unwrap().to_owned(),
                created: config["created"].as_str().unwrap().to_owned(),
                proof_purpose: "assertionMethod".into(),
            };
            let ours = proof::sign(&unsigned, vector.suite, &secret, &options).unwrap();
            assert_eq!(Value::Object(ours), Value::Object(signed.clone()), "{} signs byte for byte", vector.dir);
        }
    }
}

/// The `employ` vectors use a context that is not among the shared vectors, so they are
/// checked from their canonical forms: hashes, signature and proof value.
#[test]
fn employ_vectors_sign_from_canonical_forms() {
    let cases = [
        ("vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ", "DataInt", "vc-di-eddsa/TestVectors/keyPair.json"),
        (
            "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/employ",
            "ECDSAP256",
            "vc-di-ecdsa/TestVectors/p256KeyPair.json",
        ),
        (
            "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/employ",
            "ECDSAP384",
            "vc-di-ecdsa/TestVectors/p384KeyPair.json",
        ),
    ];
    for (dir, suffix, keys) in cases {
        let file = |name: &str| text(&format!("{dir}/{name}{suffix}.txt"));
        let keys = object(keys);
        let public = public_key(&keys);
        let mut data = Vec::new();
        match public.key_type() {
            KeyType::P384 => {
                data.extend_from_slice(&Sha384::digest(file("proofCanon")));
                data.extend_from_slice(&Sha384::digest(file("canonDoc")));
            }
            _ => {
                data.extend_from_slice(&Sha256::digest(file("proofCanon")));
                data.extend_from_slice(&Sha256::digest(file("canonDoc")));
            }
        }
        assert_eq!(hex::encode(&data), file("combinedHash").trim(), "{dir}");
        let signature = bs58::decode(&file("sigBTC58").trim()[1..]).into_vec().unwrap();
        let verified = match &public {
            PublicKey::Ed25519(key) => {
                key.verify_strict(&data, &ed25519_dalek::Signature::from_slice(&signature).unwrap()).is_ok()
            }
            PublicKey::P256(key) => p256::ecdsa::signature::Verifier::verify(
                key,
                &data,
                &p256::ecdsa::Signature::from_slice(&signature).unwrap(),
            )
            .is_ok(),
            PublicKey::P384(key) => p384::ecdsa::signature::Verifier::verify(
                key,
                &data,
                &p384::ecdsa::Signature::from_slice(&signature).unwrap(),
            )
            .is_ok(),
            PublicKey::Rsa(_) => unreachable!("the vectors use no RSA keys"),
        };
        assert!(verified, "{dir}");
    }
}

#[test]
fn ed25519_signature_2020_verifies() {
    let signed = object("vc-di-eddsa/TestVectors/Ed25519Signature2020/signedEdSig.json");
    let public = public_key(&object("vc-di-eddsa/TestVectors/keyPair.json"));
    let (canonical_config, canonical_document) = proof::transform(
        Suite::Ed25519Signature2020,
        &without(&signed, "proof"),
        &without(signed["proof"].as_object().unwrap(), "proofValue"),
    )
    .unwrap();
    assert_eq!(canonical_document, text("vc-di-eddsa/TestVectors/Ed25519Signature2020/canonDocEdSig.txt"));
    assert_eq!(canonical_config, text("vc-di-eddsa/TestVectors/Ed25519Signature2020/proofCanonEdSig.txt"));
    let suite = proof::verify(&signed, signed["proof"].as_object().unwrap(), &public);
    assert_eq!(suite, Ok(Suite::Ed25519Signature2020));
}

#[test]
fn open_badges_implementation_guide_vector_reproduces() {
    let dir = "ob3/impl-guide-test-vector-eddsa-rdfc-2022";
    let unsigned = object(&format!("{dir}/unsigned.json"));
    let options = object(&format!("{dir}/proof-options.json"));
    let (canonical_config, canonical_document) = proof::transform(Suite::EddsaRdfc2022, &unsigned, &options).unwrap();
    assert_eq!(canonical_document, text(&format!("{dir}/document-canon.txt")));
    assert_eq!(canonical_config, text(&format!("{dir}/proof-canon.txt")));
    let keys = object(&format!("{dir}/keypair.json"));
    let legacy = keys["secretKeyMultibase_0x8026_plus_64byte_seed_and_pub_legacy_DB_format"].as_str().unwrap();
    let secret = SecretKey::from_multibase(legacy).unwrap();
    assert_eq!(secret.public_key().to_multibase(), keys["publicKeyMultibase"]);
    let signed = proof::sign(
        &unsigned,
        Suite::EddsaRdfc2022,
        &secret,
        &ProofOptions {
            verification_method: options["verificationMethod"].as_str().unwrap().to_owned(),
            created: options["created"].as_str().unwrap().to_owned(),
            proof_purpose: "assertionMethod".into(),
        },
    )
    .unwrap();
    assert_eq!(
        signed["proof"]["proofValue"],
        "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
    );
}

#[test]
fn did_key_vectors_resolve() {
    for file in ["ed25519-x25519.json", "nist-curves.json"] {
        let vectors = object(&format!("did-key/test-vectors/{file}"));
        // P-521 and the X25519 key-agreement keys are not for signing credentials.
        let signing = vectors.iter().filter(|(did, _)| {
            ["did:key:z6Mk", "did:key:zDn", "did:key:z82"].iter().any(|prefix| did.starts_with(prefix))
        });
        for (did, expected) in signing {
            let method = match did::resolve_did_key(did) {
                Ok(method) => method,
                Err(err) => panic!("{did}: {err}"),
            };
            let document = &expected["didDocument"];
            let listed = document["verificationMethod"][0]["publicKeyMultibase"].as_str();
            if let Some(listed) = listed {
                assert_eq!(method.public_key.to_multibase(), listed, "{did}");
            }
            assert_eq!(method.controller, *did);
            assert_eq!(method.id, format!("{did}#{}", &did["did:key:".len()..]));
        }
    }
}
