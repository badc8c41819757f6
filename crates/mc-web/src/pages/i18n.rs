//! The pages' words in English and Spanish. Each text is written once per language, side by
//! side, so that a text missing in one language does not compile.

use mc_vc::verify::{CheckId, CheckStatus, Verdict, Verification};

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Es,
}

impl Lang {
    /// The language of a tag such as `es-ES`, when the pages have it.
    pub(crate) fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header the pages have, by preference.
    pub(crate) fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::from_tag(pieces.next()?)?;
                let quality = pieces
                    .find_map(|param| param.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((quality, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|(_, lang)| *lang)
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The other language, offered by the switch.
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Es,
            Lang::Es => Lang::En,
        }
    }

    /// The language's name in itself.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    pub(crate) fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }
}

macro_rules! texts {
    ($($field:ident: $en:literal, $es:literal;)*) => {
        /// Every text of the pages in one language.
        pub(crate) struct Texts {
            $(pub(crate) $field: &'static str,)*
        }
        static EN: Texts = Texts { $($field: $en,)* };
        static ES: Texts = Texts { $($field: $es,)* };
    };
}

texts! {
    tagline: "Open micro-credentials for higher education", "Microcredenciales abiertas para la educación superior";
    nav_catalogue: "Catalogue", "Catálogo";
    nav_verify: "Verify", "Verificar";
    nav_staff: "Staff sign-in", "Acceso del personal";
    nav_learner: "My credentials", "Mis credenciales";
    nav_issuer: "Issuer space", "Espacio del emisor";
    nav_sign_out: "Sign out", "Cerrar sesión";
    home_title: "Micro-credentials you can trust, anywhere in Europe", "Microcredenciales fiables en toda Europa";
    home_intro: "microcred lets universities describe micro-credentials to the European standard, issue them to learners as signed digital credentials (Open Badges 3.0), revoke them when needed, and lets anyone check them in seconds.", "microcred permite a las universidades describir microcredenciales según el estándar europeo, emitirlas a sus estudiantes como credenciales digitales firmadas (Open Badges 3.0), revocarlas cuando haga falta, y que cualquiera las compruebe en segundos.";
    home_catalogue: "Browse the micro-credentials the institutions here offer.", "Explore las microcredenciales que ofrecen las instituciones.";
    home_verify: "Check a credential someone gave you: its signature, issuer and status.", "Compruebe una credencial que le hayan dado: su firma, su emisor y su estado.";
    home_staff: "Institution staff: issue credentials, upload cohorts, revoke.", "Personal de las instituciones: emita credenciales, suba cohortes, revoque.";
    home_learner: "Learners: see your credentials, download them and share them.", "Estudiantes: vea sus credenciales, descárguelas y compártalas.";
    catalogue_title: "Catalogue of micro-credentials", "Catálogo de microcredenciales";
    verify_title: "Verify a credential", "Verificar una credencial";
    verify_intro: "Paste a credential (JSON or a JWT), upload its file (a badge image or a supplement, PDF or web page, will do), or give its address. Nothing you check here is stored.", "Pegue una credencial (JSON o JWT), suba su archivo (sirve también una imagen de insignia o un suplemento, PDF o página web) o indique su dirección. Nada de lo que compruebe aquí se guarda.";
    verify_paste: "Credential text", "Texto de la credencial";
    verify_file: "Or a file", "O un archivo";
    verify_button: "Verify", "Verificar";
    verify_url: "Or the address of a credential (https)", "O la dirección de una credencial (https)";
    verify_url_button: "Open and verify", "Abrir y verificar";
    verify_nothing: "Give a credential to verify: paste it, choose a file or give its address.", "Indique una credencial: péguela, elija un archivo o indique su dirección.";
    verify_https_only: "Give an https:// address, or a link shared from microcred.", "Indique una dirección https:// o un enlace compartido desde microcred.";
    verify_fetch_failed: "No credential could be fetched from this address.", "No se pudo obtener ninguna credencial de esta dirección.";
    file_not_credential: "This file is neither a credential, a badge image (PNG or SVG) nor a supplement (PDF or web page).", "Este archivo no es una credencial, ni una imagen de insignia (PNG o SVG), ni un suplemento (PDF o página web).";
    file_not_baked: "This badge image has no credential inside it: download the image with the credential from the learner's space.", "Esta imagen de insignia no lleva ninguna credencial dentro: descargue la imagen con la credencial desde el espacio del estudiante.";
    file_not_carried: "This document carries no credential inside it.", "Este documento no lleva ninguna credencial dentro.";
    file_damaged: "The file is damaged and cannot be read", "El archivo está dañado y no se puede leer";
    file_too_large: "The file is too large (at most 8 MiB).", "El archivo es demasiado grande (8 MiB como máximo).";
    verify_busy: "Too many credentials are being verified right now. Wait a moment and try again.", "Ahora mismo se están verificando demasiadas credenciales. Espere un momento y vuelva a intentarlo.";
    verdict_valid: "Valid", "Válida";
    verdict_invalid: "Not valid", "No válida";
    verdict_indeterminate: "Could not be fully checked", "No se pudo comprobar del todo";
    verdict_valid_text: "Every check passed: this credential is authentic, unchanged and in force.", "Todas las comprobaciones son correctas: la credencial es auténtica, no ha sido alterada y está en vigor.";
    verdict_invalid_text: "At least one check failed: do not rely on this credential.", "Al menos una comprobación ha fallado: no confíe en esta credencial.";
    verdict_indeterminate_text: "Nothing failed, but something that decides validity could not be checked. Try again later.", "Nada ha fallado, pero algo decisivo no se pudo comprobar. Inténtelo más tarde.";
    checks_title: "Checks", "Comprobaciones";
    checked_credential: "Credential", "Credencial";
    verify_email: "The learner's email address (optional): to check that the credential is theirs", "El correo electrónico del estudiante (opcional): para comprobar que la credencial es suya";
    owner_label: "Issued to", "Emitida a";
    owner_yes: "issued to", "emitida a";
    owner_no: "not issued to", "no emitida a";
    owner_unknown: "The credential does not name its learner in a way an email address can be checked against.", "La credencial no identifica a su estudiante de forma que se pueda comprobar con un correo electrónico.";
    awarded: "Awarded", "Otorgada";
    not_named: "not named in the credential", "no figura en la credencial";
    not_reached: "Not reached: an earlier check failed, so this one means nothing.", "Sin comprobar: falló una comprobación anterior, así que esta no significaría nada.";
    kind_open_badge: "Open Badges 3.0", "Open Badges 3.0";
    kind_edc: "European Digital Credential", "Credencial Digital Europea";
    kind_sd_jwt: "Credential from a digital wallet", "Credencial de una cartera digital";
    kind_other: "Verifiable Credential", "Credencial verificable";
    cause_format: "It is not a credential that can be read.", "No es una credencial legible.";
    cause_schema: "It does not follow the rules of its format.", "No sigue las reglas de su formato.";
    cause_proof: "It was changed after it was signed.", "Se modificó después de firmarla.";
    cause_issuer: "It was not signed with a key of its issuer.", "No está firmada con una clave de su emisor.";
    cause_holder: "It was not shown by the person it was issued to.", "No la ha mostrado la persona a quien se emitió.";
    cause_validity: "It is not valid on this date: it has expired or is not valid yet.", "No es válida en esta fecha: ha caducado o todavía no es válida.";
    cause_status_unknown: "Whether it was revoked could not be checked.", "No se pudo comprobar si fue revocada.";
    cause_trust_unknown: "Whether its issuer is trusted could not be checked.", "No se pudo comprobar si su emisor es de confianza.";
    cause_signature_unknown: "Its signature could not be checked.", "No se pudo comprobar su firma.";
    cause_unknown: "It could not be checked completely.", "No se pudo comprobar por completo.";
    details: "Technical detail", "Detalle técnico (en inglés)";
    credential_title: "Credential", "Credencial";
    learner: "Learner", "Estudiante";
    issuer: "Issuer", "Emisor";
    issued: "Issued", "Emitida";
    outcomes: "Learning outcomes", "Resultados de aprendizaje";
    workload: "Workload", "Carga de trabajo";
    ects: "ECTS credits", "Créditos ECTS";
    hours: "hours", "horas";
    eqf: "EQF level", "Nivel MEC";
    status: "Status", "Estado";
    state_active: "Active", "Activa";
    state_suspended: "Suspended", "Suspendida";
    state_revoked: "Revoked", "Revocada";
    no_edc: "This credential was issued as an Open Badge only; it has no European Digital Credential.", "Esta credencial se emitió solo como Open Badge; no tiene Credencial Digital Europea.";
    download_badge: "Download the Open Badge (JSON)", "Descargar la Open Badge (JSON)";
    download_edc: "Download the European Digital Credential (for Europass)", "Descargar la Credencial Digital Europea (para Europass)";
    credential_format: "Format", "Formato";
    recognised_elsewhere: "Recognised by partner institutions", "Reconocida por instituciones socias";
    agreements_title: "Recognition agreements", "Acuerdos de reconocimiento";
    recognition_requests: "Recognition requests", "Solicitudes de reconocimiento";
    request_waiting: "Waiting for an answer", "Pendiente de respuesta";
    request_accepted: "Recognised", "Reconocida";
    request_rejected: "Not recognised", "No reconocida";
    request_file_unreadable: "The file is not a credential: it is not text (JSON or a JWT).", "El archivo no es una credencial: no es texto (JSON o JWT).";
    ask_recognition: "Ask another institution to recognise it", "Pedir a otra institución que la reconozca";
    request_note: "Message for the institution (optional)", "Mensaje para la institución (opcional)";
    ask_button: "Ask for recognition", "Solicitar reconocimiento";
    elsewhere_heading: "A credential from elsewhere", "Una credencial de otro lugar";
    elsewhere_help: "Upload a credential another institution or platform issued you (Open Badges 3.0 or a European Digital Credential) and ask an institution here to recognise it. It is checked first.", "Suba una credencial que le haya emitido otra institución o plataforma (Open Badges 3.0 o credencial digital europea) y pida a una institución de aquí que la reconozca. Primero se comprueba.";
    credential_file: "Credential file", "Archivo de la credencial";
    asked_on: "Asked on", "Solicitada el";
    decided_on: "answered on", "respondida el";
    download_decision: "Download the recognition decision", "Descargar la resolución de reconocimiento";
    amended_because: "Partly recognised", "Reconocida en parte";
    no_requests: "No requests yet.", "Aún no hay solicitudes.";
    decision_not_found: "There is no such recognition decision.", "No existe esa resolución de reconocimiento.";
    officer_pending: "Waiting for a decision", "Pendientes de decisión";
    officer_answered: "Answered", "Respondidas";
    nothing_waiting: "Nothing is waiting for a decision.", "No hay nada pendiente de decisión.";
    answer_label: "Answer", "Respuesta";
    proposals_heading: "What the agreements in force propose", "Qué proponen los acuerdos en vigor";
    nothing_proposed: "No agreement in force proposes anything for this credential: it can only be rejected, with a reason.", "Ningún acuerdo en vigor propone nada para esta credencial: solo puede rechazarse, con un motivo.";
    accept_proposal: "Accept", "Aceptar";
    amend_heading: "Grant fewer ECTS", "Conceder menos ECTS";
    ects_granted: "ECTS granted", "ECTS concedidos";
    reject_heading: "Reject", "Rechazar";
    reason_label: "Reason, for the learner", "Motivo, para el estudiante";
    rules_tried: "How each rule was checked", "Cómo se comprobó cada regla (con el detalle en inglés)";
    condition_held: "met", "se cumple";
    condition_failed: "not met", "no se cumple";
    officers_decide: "Your institution's recognition officers decide these requests.", "Los responsables de reconocimiento de su institución deciden estas solicitudes.";
    verification_label: "Verification", "Verificación";
    request_refused: "Cannot be recognised", "No puede reconocerse";
    requests_waiting: "waiting", "pendientes";
    pathways_heading: "Towards a larger credential", "Hacia una credencial mayor";
    pathway_complete: "Complete", "Completado";
    pathway_in_progress: "In progress", "En curso";
    ects_of: "of", "de";
    counts_heading: "What counts", "Lo que cuenta";
    not_counted_heading: "What does not count", "Lo que no cuenta";
    missing_skill: "Still needed: a skill", "Aún falta una competencia";
    would_count: "Micro-credentials that would count", "Microcredenciales que contarían";
    teaches_missing: "teaches a skill still needed", "enseña una competencia que falta";
    claim_stacked: "Receive the certificate", "Recibir el certificado";
    stacked_issued: "Issued on", "Emitido el";
    download_stacked: "Download the certificate (Open Badges 3.0)", "Descargar el certificado (Open Badges 3.0)";
    counts_through_recognition: "recognised", "reconocida";
    no_expiry: "no expiry", "sin caducidad";
    withdrawn_on: "withdrawn on", "retirado el";
    select_to_share: "Select to share with others", "Seleccionar para compartir con otras";
    share_several: "Share several credentials", "Compartir varias credenciales";
    share_several_help: "Tick the credentials above, then make one public link that shows them all, each verified.", "Marque las credenciales de arriba y cree un único enlace público que las muestre todas, cada una verificada.";
    share_selected: "Share the selected credentials", "Compartir las credenciales seleccionadas";
    your_links: "Your public links", "Sus enlaces públicos";
    withdraw_link: "Withdraw", "Retirar";
    linkedin_share: "Share on LinkedIn", "Compartir en LinkedIn";
    linkedin_add: "Add to LinkedIn profile", "Añadir al perfil de LinkedIn";
    shared_selection_title: "Shared credentials", "Credenciales compartidas";
    print_hint: "To keep a copy on paper, print this page: it prints the credentials alone, each with its verification.", "Para guardar una copia en papel, imprima esta página: se imprimen solo las credenciales, cada una con su verificación.";
    no_badge: "This credential was issued as a European Digital Credential only: it has no badge image.", "Esta credencial se emitió solo como Credencial Digital Europea: no tiene imagen de insignia.";
    download_png: "Badge image (PNG) with the credential inside", "Imagen de la insignia (PNG) con la credencial dentro";
    download_svg: "Badge image (SVG) with the credential inside", "Imagen de la insignia (SVG) con la credencial dentro";
    download_presentation: "Download as a presentation (to sign with your own key)", "Descargar como presentación (para firmarla con su propia clave)";
    supplement_title: "Micro-credential supplement", "Suplemento de la microcredencial";
    supplement_scan: "Scan to check it is genuine", "Escanee para comprobar que es auténtica";
    supplement_elements: "What it certifies", "Qué certifica";
    supplement_footer: "This document carries the signed credential: microcred verify, or the verification page, checks the file itself.", "Este documento lleva dentro la credencial firmada: microcred verify, o la página de verificación, comprueban el propio archivo.";
    supplement_attachment: "The signed credential this supplement describes", "La credencial firmada que describe este suplemento";
    download_supplement: "Supplement (PDF)", "Suplemento (PDF)";
    download_supplement_html: "Supplement (web page)", "Suplemento (página web)";
    field_label: "Field of education", "Ámbito de estudio";
    assessment_label: "Assessment", "Evaluación";
    assessment_description: "How it is assessed", "Cómo se evalúa";
    mode_label: "Form of participation", "Forma de participación";
    qa_label: "Quality assurance", "Garantía de calidad";
    prerequisites_label: "Prerequisites", "Requisitos previos";
    identity_label: "Identity verification", "Verificación de identidad";
    grading_label: "Grading scheme", "Sistema de calificación";
    grade_label: "Grade", "Calificación";
    stackability_label: "Stackability", "Acumulabilidad";
    credential_id_label: "Credential", "Credencial";
    ects_unreadable: "Give the ECTS granted as a number, such as 2.5.", "Indique los ECTS concedidos como un número, por ejemplo 2,5.";
    read_agreement: "Read the agreement", "Leer el acuerdo";
    agreement_parties: "Parties", "Partes";
    agreement_period: "In force", "Vigencia";
    agreement_version: "Version", "Versión";
    agreement_rules: "What is recognised", "Qué se reconoce";
    agreement_signatures: "Signatures", "Firmas";
    sign_agreement: "Sign this version", "Firmar esta versión";
    end_agreement: "End this agreement", "Poner fin a este acuerdo";
    end_agreement_help: "From then on it recognises nothing new; decisions already made stand. This cannot be undone.", "A partir de entonces no reconoce nada nuevo; las decisiones ya tomadas se mantienen. No se puede deshacer.";
    sealed_by: "Sealed by", "Sellado por";
    certified_by: "Seal certificate issued by", "Certificado del sello emitido por";
    sealed_on: "Sealed on", "Sellado el";
    test_seal_warning: "This is a test seal: it shows how sealing works, but it is not a real electronic seal.", "Es un sello de prueba: muestra cómo funciona el sellado, pero no es un sello electrónico real.";
    credential_format_ob3: "Open Badge", "Open Badge";
    credential_format_edc: "European Digital Credential, sealed", "Credencial Digital Europea, sellada";
    credential_format_both: "Open Badge and European Digital Credential", "Open Badge y Credencial Digital Europea";
    verification: "Verification", "Verificación";
    share_gone: "This link does not exist or has expired.", "Este enlace no existe o ha caducado.";
    no_such_file: "There is no such file of this credential.", "Esta credencial no tiene ese archivo.";
    sign_in_title: "Staff sign-in", "Acceso del personal";
    email: "Email address", "Correo electrónico";
    password: "Password", "Contraseña";
    sign_in_button: "Sign in", "Entrar";
    sign_in_failed: "The email address or the password is wrong.", "El correo electrónico o la contraseña no son correctos.";
    sign_in_wait: "Too many attempts failed for this account. For your safety, try again in", "Han fallado demasiados intentos para esta cuenta. Por su seguridad, vuelva a intentarlo dentro de";
    minutes: "min", "min";
    learner_sign_in_title: "Sign in to your credentials", "Acceda a sus credenciales";
    learner_sign_in_intro: "Give the email address your institution knows you by; we send you a sign-in link that works once, for 15 minutes.", "Indique el correo con el que le conoce su institución; le enviaremos un enlace de acceso válido una vez, durante 15 minutos.";
    send_link: "Send me a link", "Enviarme un enlace";
    link_sent: "If this address is known, a sign-in link is on its way. (In this build the link is written to the server's log.)", "Si la dirección es conocida, le hemos enviado un enlace de acceso. (En esta versión el enlace se escribe en el registro del servidor.)";
    link_wait: "Several links were asked for this address already. For your safety, ask again in", "Ya se pidieron varios enlaces para esta dirección. Por su seguridad, vuelva a pedirlo dentro de";
    link_continue_text: "You are signing in to your credentials. This link works once.", "Va a acceder a sus credenciales. Este enlace funciona una sola vez.";
    link_continue: "Continue", "Continuar";
    link_used: "This sign-in link is unknown, used or expired: ask for a new one.", "Este enlace de acceso no existe, ya se usó o ha caducado: pida otro.";
    learner_title: "My credentials", "Mis credenciales";
    learner_empty: "You have no credentials yet.", "Todavía no tiene credenciales.";
    share: "Share", "Compartir";
    wallet_add: "Add to my wallet", "Añadir a mi cartera";
    wallet_title: "Add the credential to your wallet", "Añada la credencial a su cartera";
    wallet_scan: "Open your digital wallet app (such as your country's EU Digital Identity Wallet) and scan this code with it.", "Abra la aplicación de su cartera digital (por ejemplo, la Cartera Europea de Identidad Digital de su país) y escanee este código con ella.";
    wallet_code_label: "When the wallet asks for a code, type this one:", "Cuando la cartera le pida un código, escriba este:";
    wallet_expires: "The code can be used once, until", "El código sirve una sola vez, hasta las";
    wallet_open: "Or open the offer in a wallet on this device", "O abra la oferta en una cartera de este dispositivo";
    wallet_qr_label: "QR code of the credential offer for your wallet", "Código QR de la oferta de la credencial para su cartera";
    wallet_back: "Back to my credentials", "Volver a mis credenciales";
    share_for: "Public link valid for", "Enlace público válido durante";
    days: "days", "días";
    shared_links: "Public links", "Enlaces públicos";
    expires: "expires", "caduca";
    expired: "expired", "caducado";
    issuer_title: "Issuer space", "Espacio del emisor";
    specs: "Micro-credentials", "Microcredenciales";
    issue: "Issue", "Emitir";
    issue_title: "Issue a credential", "Emitir una credencial";
    learner_ref: "Learner's email address or id", "Correo o identificador del estudiante";
    grade: "Grade (optional)", "Calificación (opcional)";
    format_label: "Issue as", "Emitir como";
    format_ob3: "Open Badge (digital badge)", "Open Badge (insignia digital)";
    format_edc: "European Digital Credential (Europass, sealed)", "Credencial Digital Europea (Europass, sellada)";
    format_both: "Both, naming each other", "Ambas, enlazadas entre sí";
    credentials: "Issued credentials", "Credenciales emitidas";
    cohorts: "Cohorts", "Cohortes";
    cohort_upload: "Issue to a cohort: a CSV file (a spreadsheet saved as CSV) whose first row names its columns", "Emitir a una cohorte: un archivo CSV (una hoja de cálculo guardada como CSV) cuya primera fila nombra sus columnas";
    cohort_required: "required", "obligatorias";
    cohort_optional: "if you wish", "si lo desea";
    upload: "Upload and issue", "Subir y emitir";
    job_title: "Cohort job", "Trabajo de cohorte";
    job_state: "State", "Estado";
    job_processed: "Processed", "Procesadas";
    job_issued: "Issued", "Emitidas";
    job_skipped: "Already held", "Ya las tenían";
    job_rejected: "Rejected rows", "Filas rechazadas";
    line: "Row", "Fila";
    row_problem: "What to correct", "Qué corregir";
    revoke: "Revoke", "Revocar";
    suspend: "Suspend", "Suspender";
    unsuspend: "Lift suspension", "Levantar la suspensión";
    confirm_title: "Please confirm", "Confirme, por favor";
    confirm_revoke: "Revoking is final: the credential will fail verification everywhere from now on.", "La revocación es definitiva: la credencial no superará ninguna verificación a partir de ahora.";
    confirm_suspend: "The credential will fail verification until its suspension is lifted.", "La credencial no superará la verificación hasta que se levante la suspensión.";
    confirm_unsuspend: "The credential will verify again.", "La credencial volverá a superar la verificación.";
    reason: "Reason (kept with the credential, not published)", "Motivo (se guarda con la credencial, no se publica)";
    confirm: "Confirm", "Confirmar";
    cancel: "Cancel", "Cancelar";
    title: "Title", "Título";
    error_title: "Something is not right", "Algo no ha ido bien";
    back_home: "Back to the home page", "Volver al inicio";
    none_yet: "None yet.", "Ninguna todavía.";
    search_label: "Search titles, descriptions and learning outcomes", "Buscar en títulos, descripciones y resultados de aprendizaje";
    search_button: "Search", "Buscar";
    found: "micro-credentials found", "microcredenciales encontradas";
    refine: "Filters", "Filtros";
    active_filters: "Filters chosen", "Filtros elegidos";
    sort_label: "Order", "Orden";
    result_pages: "Pages of results", "Páginas de resultados";
    labels_meaning: "What the quality labels mean", "Qué significan las etiquetas de calidad";
    remove_filter: "Remove filter", "Quitar filtro";
    ects_range: "ECTS credits", "Créditos ECTS";
    ects_from: "from", "desde";
    ects_to: "to", "hasta";
    facet_eqf: "EQF level", "Nivel MEC";
    no_eqf_level: "No EQF level", "Sin nivel MEC";
    label_met: "(meets it)", "(la cumple)";
    label_not_met: "(does not meet it yet)", "(aún no la cumple)";
    ects_from_chip: "ECTS from", "ECTS desde";
    ects_to_chip: "ECTS up to", "ECTS hasta";
    facet_ects: "ECTS credits", "Créditos ECTS";
    facet_isced: "Field of education", "Ámbito de estudio";
    facet_language: "Language", "Idioma";
    facet_participation: "Form of participation", "Forma de participación";
    facet_institution: "Institution", "Institución";
    facet_country: "Country", "País";
    facet_skill: "Skill", "Competencia";
    facet_recognised: "Recognised at", "Reconocida en";
    previous: "Previous", "Anterior";
    next: "Next", "Siguiente";
    nothing_found: "Nothing matches: try fewer words or filters.", "No hay coincidencias: pruebe con menos palabras o filtros.";
    quality: "Quality check", "Control de calidad";
    compliant: "Compliant", "Conforme";
    not_compliant: "Not compliant", "No conforme";
    findings: "Findings", "Observaciones";
    value_missing: "missing", "falta";
    fill_it_in: "fill it in", "complételo";
    value_refused: "this value cannot be read as written; the details, in English", "este valor no se puede leer tal como está escrito; los detalles, en inglés";
    fix: "How to fix", "Cómo resolverlo";
    awarding_bodies: "Awarding bodies", "Organismos que la otorgan";
    accreditation: "Accreditation", "Acreditación";
    register_id: "national register", "registro nacional";
    assessment: "Assessment", "Evaluación";
    participation: "Form of participation", "Forma de participación";
    quality_assurance: "Quality assurance", "Garantía de calidad";
    qa_internal: "internal", "interna";
    qa_external: "external", "externa";
    prerequisites: "Prerequisites", "Requisitos previos";
    identity_verification: "Identity verification at assessment", "Verificación de identidad en la evaluación";
    grading_scheme: "Grading scheme", "Sistema de calificación";
    stackability: "Integration and stackability", "Integración y acumulabilidad";
    further_information: "Further information", "Más información";
    languages: "Languages", "Idiomas";
    field: "Field of education", "Ámbito de estudio";
    since: "since", "desde el";
    form_none: "Not given", "Sin indicar";
    discard_draft: "Discard this draft", "Descartar este borrador";
    reference: "Reference (to quote when asked)", "Referencia (para citarla si se la piden)";
    unfinished_drafts: "Unfinished drafts (not yet complete enough to check and publish)", "Borradores sin terminar (aún incompletos para comprobarlos y publicarlos)";
    untitled: "Untitled", "Sin título";
    saved_on: "saved on", "guardado el";
    confirm_publish_title: "Publish it as it is?", "¿Publicarla tal como está?";
    confirm_publish_unmet: "It does not meet these quality frameworks yet; the catalogue will show their labels as not met:", "Aún no cumple estos marcos de calidad; el catálogo mostrará sus etiquetas como no cumplidas:";
    confirm_publish_question: "You may publish it now, or mend it first.", "Puede publicarla ahora o corregirla antes.";
    publish_anyway: "Publish anyway", "Publicar de todos modos";
    edit_first: "Mend it first", "Corregirla antes";
    spec_page: "Its page", "Su página";
    form_choose: "Choose…", "Elija…";
    skill_chosen: "Skill chosen. Save to keep it.", "Competencia elegida. Guarde para conservarla.";
    not_a_number: "is not a number", "no es un número";
    saved_as_draft: "Saved as an unfinished draft: it is kept, but cannot be published or issued until the problems below are mended.", "Guardado como borrador sin terminar: se conserva, pero no se puede publicar ni emitir hasta corregir los problemas de abajo.";
    form_texts_in: "Texts in", "Textos en";
    form_tabs: "Language of the texts", "Idioma de los textos";
    form_writing_in: "You are writing the texts in", "Está escribiendo los textos en";
    form_other_languages: "the other languages keep what was written in them; their tabs show it.", "los demás idiomas conservan lo escrito en ellos; sus pestañas lo muestran.";
    form_add_language: "Add a language", "Añadir un idioma";
    form_about: "The micro-credential", "La microcredencial";
    form_outcomes_help: "What a learner knows, understands and can do after it (Annex I, element 6). Start each with a verb: \"Analyse…\", \"Design…\".", "Lo que la persona sabe, comprende y es capaz de hacer al terminar (anexo I, elemento 6). Empiece cada uno con un verbo: «Analizar…», «Diseñar…».";
    form_add_outcome: "Add an outcome", "Añadir un resultado";
    form_remove_outcome: "Remove this outcome", "Quitar este resultado";
    form_skill: "Skill it teaches (ESCO)", "Competencia que desarrolla (ESCO)";
    form_skill_none: "No skill chosen.", "Ninguna competencia elegida.";
    form_skill_find: "Find a skill by its words", "Buscar una competencia por sus palabras";
    form_find: "Find", "Buscar";
    form_use_skill: "Use", "Usar";
    form_no_skills_found: "No skill known here has these words; you may give its ESCO address and name yourself below.", "Ninguna competencia conocida aquí tiene esas palabras; puede indicar abajo su dirección ESCO y su nombre.";
    form_skill_uri: "ESCO address of the skill", "Dirección ESCO de la competencia";
    form_clear_skill: "Remove the skill", "Quitar la competencia";
    form_workload: "Workload and level", "Carga de trabajo y nivel";
    form_assessment: "Assessment and participation", "Evaluación y participación";
    form_quality: "Quality assurance", "Garantía de calidad";
    form_optional: "Optional elements", "Elementos opcionales";
    form_languages_help: "Languages in which it is taught.", "Idiomas en que se imparte.";
    form_default_language: "Main language (shown when the reader's is missing)", "Idioma principal (se muestra si falta el del lector)";
    form_awarding_bodies_help: "Your institution first; add the ids of institutions that award it with you, separated by commas.", "Su institución primero; añada los identificadores de las instituciones que la otorgan con usted, separados por comas.";
    form_document: "Import or export it as a JSON or TOML document", "Importarla o exportarla como documento JSON o TOML";
    form_report: "Quality report", "Informe de calidad";
    form_report_note: "Updated each time you check or save.", "Se actualiza cada vez que comprueba o guarda.";
    credential_search: "Learner's name or email", "Nombre o correo de la persona";
    any: "Any", "Cualquiera";
    credentials_found: "Credentials found", "Credenciales encontradas";
    new_learner_name: "Full name, for a learner new to this institution", "Nombre completo, si la persona es nueva en esta institución";
    new_learner_hint: "Leave it empty for a learner already known here. With a name, the email address above is recorded as theirs.", "Déjelo vacío si la persona ya figura aquí. Con un nombre, el correo electrónico de arriba queda registrado como suyo.";
    revocation_reason: "Reason given", "Motivo indicado";
    skill_link: "ESCO skill", "Competencia ESCO";
    homepage: "The course's page, to enrol and learn more", "La página del curso, para inscribirse y saber más";
    published: "Published", "Publicada";
    draft: "Draft", "Borrador";
    publish: "Publish", "Publicar";
    withdraw: "Withdraw from the catalogue", "Retirar del catálogo";
    edit: "Edit", "Editar";
    new_spec: "New micro-credential", "Nueva microcredencial";
    spec_document: "Specification document (JSON or TOML, as in docs/spec-format.md)", "Documento de la especificación (JSON o TOML, como en docs/spec-format.md)";
    check_button: "Check only", "Solo comprobar";
    save_button: "Save", "Guardar";
    publish_refused: "Publishing is refused while the quality check finds errors.", "No se puede publicar mientras el control de calidad encuentre errores.";
    not_saved: "Not saved: the document has problems.", "No se ha guardado: el documento tiene problemas.";
    checked_only: "Checked, not saved.", "Comprobado, sin guardar.";
    in_catalogue: "See it in the catalogue", "Verla en el catálogo";
    co_awarding: "Awarded together with", "Otorgada junto con";
    consent_pending: "awaiting their consent", "a la espera de su conformidad";
    consent_accepted: "agreed", "de acuerdo";
    consent_declined: "declined", "lo ha rechazado";
    consent_needed: "It stays a draft until every institution that awards it with you agrees.", "Seguirá en borrador hasta que todas las instituciones que la otorgan con la suya estén de acuerdo.";
    consent_requests: "Requests to award together", "Solicitudes para otorgar conjuntamente";
    consent_request_text: "asks your institution to award this micro-credential with it", "pide a su institución otorgar esta microcredencial conjuntamente";
    accept: "Agree", "Aceptar";
    decline: "Decline", "Rechazar";
    admins_decide: "Your institution's administrators answer these requests.", "Los administradores de su institución responden a estas solicitudes.";
    nav_network: "Network", "Red";
    network_title: "The network's registry and trusted issuers", "Registro y emisores de confianza de la red";
    registry_heading: "Accreditation of institutions", "Acreditación de las instituciones";
    registry_help: "Record each institution's quality-assurance body and accreditation; the catalogue and verifiers show it.", "Registre el organismo de garantía de calidad y la acreditación de cada institución; el catálogo y los verificadores la muestran.";
    institution_label: "Institution", "Institución";
    qa_body: "Quality-assurance body", "Organismo de garantía de calidad";
    valid_from: "Valid from", "Válida desde";
    valid_until: "Valid until (optional)", "Válida hasta (opcional)";
    register_id_optional: "National register id (optional)", "Código en el registro nacional (opcional)";
    not_recorded: "Not recorded yet", "Aún sin registrar";
    record: "Record", "Registrar";
    trust_heading: "Trusted issuers", "Emisores de confianza";
    trust_help: "Credentials are trusted when their issuer was on this list when they were issued. Taking an issuer off keeps what it issued before trusted.", "Una credencial es de confianza si su emisor estaba en esta lista cuando se emitió. Retirar a un emisor mantiene la confianza en lo que emitió antes.";
    trusted: "Trusted", "De confianza";
    left_on: "Left the list on", "Salió de la lista el";
    take_off: "Take off the list", "Retirar de la lista";
    put_back: "Put back on the list", "Volver a incluir";
    partner_network: "Partner network", "Red asociada";
    import_heading: "Import a partner network's list", "Importar la lista de una red asociada";
    network_name: "Short name of the partner network", "Nombre corto de la red asociada";
    list_document: "The list (the JSON its microcred exports)", "La lista (el JSON que exporta su microcred)";
    import_button: "Import", "Importar";
    imported: "issuers imported", "emisores importados";
    refused: "refused", "rechazados";
    left_the_list: "left the list (no longer on the partner's list)", "salen de la lista (ya no figuran en la del socio)";
    status_accredited: "Accredited", "Acreditada";
    status_provisional: "Provisionally accredited", "Acreditada provisionalmente";
    status_expired: "Accreditation expired", "Acreditación caducada";
    status_withdrawn: "Accreditation withdrawn", "Acreditación retirada";
}

/// An accreditation status's name.
pub(crate) fn accreditation_status(lang: Lang, status: mc_app::AccreditationStatus) -> &'static str {
    let t = lang.texts();
    match status {
        mc_app::AccreditationStatus::Accredited => t.status_accredited,
        mc_app::AccreditationStatus::Provisional => t.status_provisional,
        mc_app::AccreditationStatus::Expired => t.status_expired,
        mc_app::AccreditationStatus::Withdrawn => t.status_withdrawn,
    }
}

/// A co-awarding consent's state, as the issuer reads it.
pub(crate) fn consent(lang: Lang, state: mc_app::ConsentState) -> &'static str {
    let t = lang.texts();
    match state {
        mc_app::ConsentState::Pending => t.consent_pending,
        mc_app::ConsentState::Accepted => t.consent_accepted,
        mc_app::ConsentState::Declined => t.consent_declined,
    }
}

/// A form of participation's name.
pub(crate) fn participation(lang: Lang, name: &str) -> &'static str {
    match (lang, name) {
        (Lang::En, "online") => "Online",
        (Lang::En, "onsite") => "On site",
        (Lang::En, "blended") => "Blended",
        (Lang::Es, "online") => "En línea",
        (Lang::Es, "onsite") => "Presencial",
        (Lang::Es, "blended") => "Semipresencial",
        _ => "",
    }
}

/// A quality framework's name.
pub(crate) fn framework_name(lang: Lang, framework: mc_core::quality::Framework) -> &'static str {
    use mc_core::quality::Framework as F;
    match (lang, framework) {
        (Lang::En, F::AnnexI) => "Council Recommendation, Annex I: standard elements",
        (Lang::En, F::AnnexII) => "Council Recommendation, Annex II: principles",
        (Lang::En, F::Cmf) => "Common Microcredential Framework (European MOOC Consortium)",
        (Lang::En, F::Eccoe) => "ECCOE quality descriptors",
        (Lang::En, F::OpenBadges) => "Open Badges 3.0",
        (Lang::En, F::Edc) => "European Digital Credential",
        (Lang::Es, F::AnnexI) => "Recomendación del Consejo, anexo I: elementos normalizados",
        (Lang::Es, F::AnnexII) => "Recomendación del Consejo, anexo II: principios",
        (Lang::Es, F::Cmf) => "Marco Común de Microcredenciales (European MOOC Consortium)",
        (Lang::Es, F::Eccoe) => "Descriptores de calidad de ECCOE",
        (Lang::Es, F::OpenBadges) => "Open Badges 3.0",
        (Lang::Es, F::Edc) => "Credencial Digital Europea",
    }
}

/// A check's name.
pub(crate) fn check_name(lang: Lang, id: CheckId) -> &'static str {
    match (lang, id) {
        (Lang::En, CheckId::Format) => "Format",
        (Lang::En, CheckId::Schema) => "Structure",
        (Lang::En, CheckId::Proof) => "Signature",
        (Lang::En, CheckId::Issuer) => "Issuer's key",
        (Lang::En, CheckId::Holder) => "Holder",
        (Lang::En, CheckId::Validity) => "Validity period",
        (Lang::En, CheckId::Status) => "Revocation and suspension",
        (Lang::En, CheckId::Trust) => "Trusted issuer",
        (Lang::Es, CheckId::Format) => "Formato",
        (Lang::Es, CheckId::Schema) => "Estructura",
        (Lang::Es, CheckId::Proof) => "Firma",
        (Lang::Es, CheckId::Issuer) => "Clave del emisor",
        (Lang::Es, CheckId::Holder) => "Titular",
        (Lang::Es, CheckId::Validity) => "Periodo de validez",
        (Lang::Es, CheckId::Status) => "Revocación y suspensión",
        (Lang::Es, CheckId::Trust) => "Emisor de confianza",
    }
}

/// What a check's outcome means, in plain words.
pub(crate) fn explain(lang: Lang, id: CheckId, status: CheckStatus) -> &'static str {
    use CheckId as C;
    use CheckStatus as S;
    match lang {
        Lang::En => match (id, status) {
            (_, S::Skipped) => "Not checked: see the detail below.",
            (C::Format, S::Failed) => "This is not a well-formed credential, or it uses terms nobody defined.",
            (C::Format, _) => "A well-formed credential in a known format.",
            (C::Schema, S::Failed) => {
                "The credential lacks fields its format requires, or has them in the wrong shape."
            }
            (C::Schema, _) => "Has every field its format requires.",
            (C::Proof, S::Failed) => {
                "The signature does not match: the credential was changed after it was signed, or was never signed."
            }
            (C::Proof, _) => "The signature matches: nothing was changed since it was signed.",
            (C::Issuer, S::Failed) => "The key that signed it does not belong to the issuer it names.",
            (C::Issuer, _) => "Signed with a key that belongs to the issuer it names.",
            (C::Holder, S::Failed) => {
                "It was not shown by the person it was issued to: the holder's key does not match."
            }
            (C::Holder, S::Warning) => {
                "It was shown without proof that its holder showed it: ask for it from the holder's wallet."
            }
            (C::Holder, _) => "Shown from the wallet of the person it was issued to.",
            (C::Validity, S::Failed) => "Outside its validity period: not yet valid, or expired.",
            (C::Validity, _) => "Within its validity period.",
            (C::Status, S::Failed) => "The issuer has revoked or suspended this credential.",
            (C::Status, _) => "Neither revoked nor suspended by its issuer.",
            (C::Trust, S::Failed) => "The issuer is not on the list of trusted issuers.",
            (C::Trust, _) => "The issuer is on the list of trusted issuers.",
        },
        Lang::Es => match (id, status) {
            (_, S::Skipped) => "No comprobado: vea el detalle más abajo.",
            (C::Format, S::Failed) => "No es una credencial bien formada, o usa términos que nadie ha definido.",
            (C::Format, _) => "Una credencial bien formada en un formato conocido.",
            (C::Schema, S::Failed) => "Le faltan campos que su formato exige, o los tiene con una forma incorrecta.",
            (C::Schema, _) => "Tiene todos los campos que su formato exige.",
            (C::Proof, S::Failed) => {
                "La firma no coincide: la credencial se modificó después de firmarse, o nunca se firmó."
            }
            (C::Proof, _) => "La firma coincide: nada ha cambiado desde que se firmó.",
            (C::Issuer, S::Failed) => "La clave que la firmó no pertenece al emisor que indica.",
            (C::Issuer, _) => "Firmada con una clave que pertenece al emisor que indica.",
            (C::Holder, S::Failed) => {
                "No la ha mostrado la persona a quien se emitió: la clave del titular no coincide."
            }
            (C::Holder, S::Warning) => {
                "Se ha mostrado sin prueba de que la muestre su titular: pídala desde la cartera del titular."
            }
            (C::Holder, _) => "Mostrada desde la cartera de la persona a quien se emitió.",
            (C::Validity, S::Failed) => "Fuera de su periodo de validez: aún no es válida, o ha caducado.",
            (C::Validity, _) => "Dentro de su periodo de validez.",
            (C::Status, S::Failed) => "El emisor ha revocado o suspendido esta credencial.",
            (C::Status, _) => "Su emisor no la ha revocado ni suspendido.",
            (C::Trust, S::Failed) => "El emisor no está en la lista de emisores de confianza.",
            (C::Trust, _) => "El emisor está en la lista de emisores de confianza.",
        },
    }
}

/// The verdict's headline and explanation.
pub(crate) fn verdict(lang: Lang, verdict: Verdict) -> (&'static str, &'static str) {
    let t = lang.texts();
    match verdict {
        Verdict::Valid => (t.verdict_valid, t.verdict_valid_text),
        Verdict::Invalid => (t.verdict_invalid, t.verdict_invalid_text),
        Verdict::Indeterminate => (t.verdict_indeterminate, t.verdict_indeterminate_text),
    }
}

/// The sentence that says why a verification came out as it did, naming the first check that
/// failed (or could not be made) and, for a revocation or distrust, the issuer.
pub(crate) fn cause(lang: Lang, verification: &Verification, issuer: &str) -> String {
    let t = lang.texts();
    let spanish = lang == Lang::Es;
    let failed = verification.checks.iter().find(|check| check.status == CheckStatus::Failed);
    if let Some(check) = failed {
        return match check.id {
            CheckId::Format => t.cause_format.to_owned(),
            CheckId::Schema => t.cause_schema.to_owned(),
            CheckId::Proof => t.cause_proof.to_owned(),
            CheckId::Issuer => t.cause_issuer.to_owned(),
            CheckId::Holder => t.cause_holder.to_owned(),
            CheckId::Validity => t.cause_validity.to_owned(),
            CheckId::Status | CheckId::Trust => named_cause(spanish, check, issuer),
        };
    }
    if verification.verdict == Verdict::Valid {
        return t.verdict_valid_text.to_owned();
    }
    let undecided = verification
        .checks
        .iter()
        .find(|check| check.status == CheckStatus::Skipped && check.message != mc_vc::verify::NOT_REACHED);
    let cause = match undecided.map(|check| check.id) {
        Some(CheckId::Status) => t.cause_status_unknown,
        Some(CheckId::Trust) => t.cause_trust_unknown,
        Some(CheckId::Proof | CheckId::Issuer) => t.cause_signature_unknown,
        _ => t.cause_unknown,
    };
    cause.to_owned()
}

/// A failed status or trust check, naming the issuer.
fn named_cause(spanish: bool, check: &mc_vc::verify::Check, issuer: &str) -> String {
    let suspended = check.message.contains("suspended");
    match (check.id, spanish, suspended) {
        (CheckId::Status, false, false) => format!("Revoked by {issuer}."),
        (CheckId::Status, false, true) => format!("Suspended by {issuer}."),
        (CheckId::Status, true, false) => format!("Revocada por {issuer}."),
        (CheckId::Status, true, true) => format!("Suspendida por {issuer}."),
        (_, false, _) => format!("{issuer} is not on the trusted list of issuers."),
        (_, true, _) => format!("{issuer} no está en la lista de emisores de confianza."),
    }
}

/// Why an uploaded file gives no credential to verify, in words.
pub(crate) fn unreadable_file(lang: Lang, err: &mc_vc::bake::BakeError) -> String {
    use mc_vc::bake::BakeError;
    let t = lang.texts();
    match err {
        BakeError::NotAnImage | BakeError::Unreadable => t.file_not_credential.to_owned(),
        BakeError::NoCredential(_) => t.file_not_baked.to_owned(),
        BakeError::NotCarried(_) => t.file_not_carried.to_owned(),
        BakeError::TooLarge => t.file_too_large.to_owned(),
        BakeError::Broken { .. } => format!("{} ({err}).", t.file_damaged),
    }
}

/// A date (`YYYY-MM-DD`) as people write it: "30 November 2026", "30 de noviembre de 2026".
pub(crate) fn date(lang: Lang, day: &str) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let parts: Vec<&str> = day.split('-').collect();
    let (Some(year), Some(month), Some(day_of_month)) = (
        parts.first(),
        parts.get(1).and_then(|month| month.parse::<usize>().ok()).filter(|month| (1..=12).contains(month)),
        parts.get(2).and_then(|day| day.parse::<u32>().ok()),
    ) else {
        return day.to_owned();
    };
    match lang {
        Lang::En => format!("{day_of_month} {} {year}", EN[month - 1]),
        Lang::Es => format!("{day_of_month} de {} de {year}", ES[month - 1]),
    }
}

/// A credential state's name.
/// Where a specification's credentials are recognised, in words: "Counts as the course STAT-1
/// Basic statistics (5 ECTS) at University of Roccalba, under the alliance agreement on data
/// and management micro-credentials, with a grade of at least 6."
pub(crate) fn recognition(lang: Lang, found: &mc_core::recognition::Recognition, institution: &str) -> String {
    let spanish = lang.code() == "es";
    let agreement = lowercase_first(found.agreement_title.best(&super::views::tag(lang)));
    let grant = grant(lang, &found.grant);
    let mut said = match spanish {
        false => format!("Counts as {grant} at {institution}, under the {}", agreement),
        true => format!("Cuenta como {grant} en {institution}, según el {}", agreement),
    };
    if let Some(grade) = found.provided.min_grade {
        said += &match spanish {
            false => format!(", with a grade of at least {grade}"),
            true => format!(", con una calificación de al menos {grade}"),
        };
    }
    if let Some(years) = found.provided.within_years {
        said += &match spanish {
            false => format!(", if earned within {years} years"),
            true => format!(", si se obtuvo hace menos de {years} años"),
        };
    }
    said.push('.');
    said
}

/// What a recognition rule grants, in words: "the course STAT-1 Basic statistics (5 ECTS)",
/// "4 elective ECTS".
pub(crate) fn grant(lang: Lang, grant: &mc_core::recognition::Grant) -> String {
    use mc_core::recognition::Grant;
    let name = |name: &mc_core::LangMap| name.best(&super::views::tag(lang)).to_owned();
    match (grant, lang) {
        (Grant::Course { code, name: course, ects }, Lang::En) => {
            format!("the course {code} {} ({ects} ECTS)", name(course))
        }
        (Grant::Course { code, name: course, ects }, Lang::Es) => {
            format!("la asignatura {code} {} ({ects} ECTS)", name(course))
        }
        (Grant::Elective { ects }, Lang::En) => format!("{ects} elective ECTS"),
        (Grant::Elective { ects }, Lang::Es) => format!("{ects} ECTS optativos"),
    }
}

/// A type of assessment, in words.
pub(crate) fn assessment_kind(lang: Lang, kind: mc_core::AssessmentKind) -> &'static str {
    use mc_core::AssessmentKind;
    match (lang, kind) {
        (Lang::En, AssessmentKind::Summative) => "summative",
        (Lang::En, AssessmentKind::Formative) => "formative",
        (Lang::En, AssessmentKind::SelfAssessment) => "self-assessed",
        (Lang::Es, AssessmentKind::Summative) => "sumativa",
        (Lang::Es, AssessmentKind::Formative) => "formativa",
        (Lang::Es, AssessmentKind::SelfAssessment) => "autoevaluada",
    }
}

/// How the learner's identity was verified in the assessment, in words.
pub(crate) fn identity_verification(lang: Lang, kind: mc_core::IdentityVerification) -> &'static str {
    use mc_core::IdentityVerification as Kind;
    match (lang, kind) {
        (Lang::En, Kind::UnsupervisedWithoutId) => "unsupervised, without identity check",
        (Lang::En, Kind::SupervisedWithoutId) => "supervised, without identity check",
        (Lang::En, Kind::SupervisedOnlineWithId) => "supervised online, with identity check",
        (Lang::En, Kind::SupervisedOnsiteWithId) => "supervised on site, with identity check",
        (Lang::Es, Kind::UnsupervisedWithoutId) => "sin supervisión ni comprobación de identidad",
        (Lang::Es, Kind::SupervisedWithoutId) => "supervisada, sin comprobación de identidad",
        (Lang::Es, Kind::SupervisedOnlineWithId) => "supervisada en línea, con comprobación de identidad",
        (Lang::Es, Kind::SupervisedOnsiteWithId) => "supervisada presencialmente, con comprobación de identidad",
    }
}

/// How a micro-credential builds into others, in words.
pub(crate) fn stackability(lang: Lang, option: mc_core::StackabilityOption) -> &'static str {
    use mc_core::StackabilityOption as Option;
    match (lang, option) {
        (Lang::En, Option::StandAlone) => "on its own",
        (Lang::En, Option::Integrated) => "part of a larger credential",
        (Lang::En, Option::Stackable) => "stackable",
        (Lang::Es, Option::StandAlone) => "independiente",
        (Lang::Es, Option::Integrated) => "parte de una credencial mayor",
        (Lang::Es, Option::Stackable) => "acumulable",
    }
}

/// A kind of quality assurance (`internal`, `external`) in words; another kind as it is.
pub(crate) fn quality_assurance(lang: Lang, kind: &str) -> &str {
    match (lang, kind) {
        (Lang::En, "internal") => "internal",
        (Lang::En, "external") => "external",
        (Lang::Es, "internal") => "interna",
        (Lang::Es, "external") => "externa",
        _ => kind,
    }
}

/// `text` with its first letter in lower case, to be read inside a sentence.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// The formats a credential was issued in, in words.
pub(crate) fn credential_format(lang: Lang, format: mc_core::CredentialFormat) -> &'static str {
    let t = lang.texts();
    match format {
        mc_core::CredentialFormat::OpenBadges => t.credential_format_ob3,
        mc_core::CredentialFormat::Edc => t.credential_format_edc,
        mc_core::CredentialFormat::Both => t.credential_format_both,
    }
}

pub(crate) fn state(lang: Lang, state: mc_core::CredentialState) -> &'static str {
    let t = lang.texts();
    match state {
        mc_core::CredentialState::Revoked => t.state_revoked,
        mc_core::CredentialState::Suspended => t.state_suspended,
        mc_core::CredentialState::Active => t.state_active,
    }
}

/// An EQF level with what it means, in words: "6 — advanced knowledge of a field of work or
/// study, involving a critical understanding of theories and principles".
pub(crate) fn eqf_level(lang: Lang, level: &str) -> String {
    let meaning = match (lang, level) {
        (Lang::En, "1") => "basic general knowledge",
        (Lang::En, "2") => "basic factual knowledge of a field of work or study",
        (Lang::En, "3") => "knowledge of facts, principles, processes and general concepts in a field",
        (Lang::En, "4") => "factual and theoretical knowledge in broad contexts within a field",
        (Lang::En, "5") => "comprehensive, specialised knowledge within a field, and awareness of its boundaries",
        (Lang::En, "6") => "advanced knowledge of a field, with a critical understanding of theories and principles",
        (Lang::En, "7") => {
            "highly specialised knowledge, some at the forefront of a field, as the basis for original thinking"
        }
        (Lang::En, "8") => "knowledge at the most advanced frontier of a field and at the interface between fields",
        (Lang::Es, "1") => "conocimientos generales básicos",
        (Lang::Es, "2") => "conocimientos fácticos básicos de un campo de trabajo o estudio",
        (Lang::Es, "3") => "conocimiento de hechos, principios, procesos y conceptos generales de un campo",
        (Lang::Es, "4") => "conocimientos fácticos y teóricos en contextos amplios de un campo",
        (Lang::Es, "5") => "conocimientos amplios y especializados de un campo, y conciencia de sus límites",
        (Lang::Es, "6") => "conocimientos avanzados de un campo, con comprensión crítica de teorías y principios",
        (Lang::Es, "7") => {
            "conocimientos muy especializados, algunos en la vanguardia de un campo, base de un pensamiento original"
        }
        (Lang::Es, "8") => "conocimientos en la frontera más avanzada de un campo y en la interfaz entre campos",
        _ => "",
    };
    match meaning {
        "" => level.to_owned(),
        meaning => format!("{level} — {meaning}"),
    }
}

/// Why a credential does not count towards a pathway, in words.
pub(crate) fn not_counted(lang: Lang, why: &mc_core::stacking::NotCounted) -> String {
    use mc_core::stacking::NotCounted as N;
    let fields = |wanted: &[String]| wanted.join(", ");
    match lang {
        Lang::En => why.to_string(),
        Lang::Es => match why {
            N::Unverified(reason) => format!("no se ha podido verificar ({reason})"),
            N::NoEcts => "no indica créditos ECTS".into(),
            N::ZeroEcts => "no tiene créditos ECTS".into(),
            N::Field { field, wanted } => format!("su ámbito {field} no es uno de {}", fields(wanted)),
            N::NoField { wanted } => format!("no indica ámbito; hace falta uno de {}", fields(wanted)),
            N::Eqf { level, min } => format!("nivel MEC {level}; hace falta al menos {min}"),
            N::NoEqf { min } => format!("no indica nivel MEC; hace falta al menos {min}"),
            N::TooOld { years } => format!("se obtuvo hace más de {years} años"),
            N::SameSpec => "ya cuenta otra credencial de la misma microcredencial".into(),
            N::ThroughRecognition => "ya cuenta por su reconocimiento".into(),
        },
    }
}

/// What a recognition decision granted, in words: the grant with the ECTS given, or, for a
/// decision that gave fewer ECTS than the grant, that many towards it.
pub(crate) fn granted(lang: Lang, grant: &mc_core::recognition::Grant, ects: f64, amended: bool) -> String {
    use mc_core::recognition::Grant;
    let name = |name: &mc_core::LangMap| name.best(&super::views::tag(lang)).to_owned();
    match (grant, amended, lang) {
        (Grant::Elective { .. }, _, _) => self::grant(lang, &Grant::Elective { ects }),
        (Grant::Course { .. }, false, _) => self::grant(lang, grant),
        (Grant::Course { code, name: course, .. }, true, Lang::En) => {
            format!("{ects} ECTS towards the course {code} {}", name(course))
        }
        (Grant::Course { code, name: course, .. }, true, Lang::Es) => {
            format!("{ects} ECTS de la asignatura {code} {}", name(course))
        }
    }
}

/// What a staff member's change did, in a sentence.
pub(crate) fn done(lang: Lang, done: super::Done) -> &'static str {
    use super::Done as D;
    match (lang, done) {
        (Lang::En, D::Issued) => {
            "Issued. The learner finds the credential in their space, ready to download and share."
        }
        (Lang::En, D::Saved) => "Saved. The quality report below says what it meets; publish it when it is ready.",
        (Lang::Es, D::Saved) => {
            "Guardada. El informe de calidad de abajo dice qué cumple; publíquela cuando esté lista."
        }
        (Lang::En, D::Revoked) => "Revoked. Whoever verifies this credential from now on is told it was revoked.",
        (Lang::En, D::Suspended) => "Suspended. It does not verify until you lift the suspension.",
        (Lang::En, D::Unsuspended) => "The suspension is lifted: the credential verifies again.",
        (Lang::En, D::Published) => "Published. The micro-credential is in the public catalogue and can be issued.",
        (Lang::En, D::Withdrawn) => "Withdrawn from the catalogue. Credentials already issued stay valid.",
        (Lang::Es, D::Issued) => {
            "Emitida. La persona encontrará la credencial en su espacio, lista para descargar y compartir."
        }
        (Lang::Es, D::Revoked) => "Revocada. Quien verifique esta credencial a partir de ahora sabrá que fue revocada.",
        (Lang::Es, D::Suspended) => "Suspendida. No se verificará como válida hasta que levante la suspensión.",
        (Lang::Es, D::Unsuspended) => "Suspensión levantada: la credencial vuelve a verificarse como válida.",
        (Lang::Es, D::Published) => "Publicada. La microcredencial figura en el catálogo público y ya se puede emitir.",
        (Lang::Es, D::Withdrawn) => "Retirada del catálogo. Las credenciales ya emitidas siguen siendo válidas.",
    }
}

/// How much a finding of the quality check matters, in words.
pub(crate) fn severity(lang: Lang, severity: mc_core::quality::Severity) -> &'static str {
    use mc_core::quality::Severity as S;
    match (lang, severity) {
        (Lang::En, S::Error) => "Must be mended",
        (Lang::En, S::Warning) => "Should be mended",
        (Lang::En, S::Info) => "Advice",
        (Lang::Es, S::Error) => "Hay que corregirlo",
        (Lang::Es, S::Warning) => "Conviene corregirlo",
        (Lang::Es, S::Info) => "Consejo",
    }
}

/// A field of the specification document in words: `learning_outcomes[2].skill` is
/// "Learning outcome 3, skill" (counting from 1, as people do).
pub(crate) fn field(lang: Lang, path: &str) -> String {
    path.split('.')
        .map(|part| {
            let (name, index) = match part.split_once('[') {
                Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (part, None),
            };
            let word = field_name(lang, name).unwrap_or(name);
            match index {
                Some(index) => format!("{word} {}", index + 1),
                None => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of one field of the specification document (one part of a path).
fn field_name(lang: Lang, name: &str) -> Option<&'static str> {
    let (en, es) = match name {
        "id" => ("Identifier", "Identificador"),
        "awarding_bodies" => ("Awarding bodies", "Instituciones otorgantes"),
        "default_language" => ("Default language", "Idioma principal"),
        "languages" => ("Languages", "Idiomas"),
        "title" => ("Title", "Título"),
        "description" => ("Description", "Descripción"),
        "learning_outcomes" => ("Learning outcome", "Resultado de aprendizaje"),
        "text" => ("text", "texto"),
        "skill" => ("skill", "competencia"),
        "skill_name" => ("skill name", "nombre de la competencia"),
        "workload" => ("Workload", "Carga de trabajo"),
        "ects" => ("ECTS credits", "créditos ECTS"),
        "hours" => ("hours", "horas"),
        "eqf_level" => ("EQF level", "Nivel MEC"),
        "qf_ehea_cycle" => ("QF-EHEA cycle", "Ciclo MC-EEES"),
        "isced_f" => ("Field of study (ISCED-F)", "Ámbito de estudio (ISCED-F)"),
        "assessment" => ("Assessment", "Evaluación"),
        "kind" => ("type", "tipo"),
        "methods" => ("methods", "métodos"),
        "participation" => ("Form of participation", "Forma de participación"),
        "quality_assurance" => ("Quality assurance", "Garantía de calidad"),
        "internal" => ("internal", "interna"),
        "external" => ("external", "externa"),
        "body" => ("body", "organismo"),
        "prerequisites" => ("Prerequisites", "Requisitos previos"),
        "identity_verification" => ("Identity verification", "Verificación de la identidad"),
        "grading_scheme" => ("Grading scheme", "Sistema de calificación"),
        "stackability" => ("Stackability", "Acumulación"),
        "option" => ("option", "opción"),
        "towards" => ("towards", "hacia"),
        "further_information" => ("Further information", "Información adicional"),
        "homepage" => ("Course page", "Página del curso"),
        "image" => ("Badge image", "Imagen de la insignia"),
        _ => return None,
    };
    Some(if lang == Lang::Es { es } else { en })
}

/// A method of assessment, in words.
pub(crate) fn assessment_method(lang: Lang, method: mc_core::AssessmentMethod) -> &'static str {
    use mc_core::AssessmentMethod as M;
    match (lang, method) {
        (Lang::En, M::WrittenExam) => "written exam",
        (Lang::En, M::OralExam) => "oral exam",
        (Lang::En, M::OnlineExam) => "online exam",
        (Lang::En, M::Project) => "project",
        (Lang::En, M::Portfolio) => "portfolio",
        (Lang::En, M::Practical) => "practical work",
        (Lang::En, M::Presentation) => "presentation",
        (Lang::En, M::Thesis) => "written report",
        (Lang::En, M::PeerReview) => "peer review",
        (Lang::En, M::Other) => "another method",
        (Lang::Es, M::WrittenExam) => "examen escrito",
        (Lang::Es, M::OralExam) => "examen oral",
        (Lang::Es, M::OnlineExam) => "examen en línea",
        (Lang::Es, M::Project) => "proyecto",
        (Lang::Es, M::Portfolio) => "portafolio",
        (Lang::Es, M::Practical) => "trabajo práctico",
        (Lang::Es, M::Presentation) => "presentación",
        (Lang::Es, M::Thesis) => "memoria escrita",
        (Lang::Es, M::PeerReview) => "evaluación entre pares",
        (Lang::Es, M::Other) => "otro método",
    }
}

/// Where a cohort job stands, in words.
pub(crate) fn job_state(lang: Lang, state: mc_app::JobState) -> &'static str {
    use mc_app::JobState as S;
    match (lang, state) {
        (Lang::En, S::Queued) => "Waiting to start",
        (Lang::En, S::Running) => "Issuing",
        (Lang::En, S::Done) => "Finished",
        (Lang::En, S::Failed) => "Stopped by an error",
        (Lang::Es, S::Queued) => "En espera",
        (Lang::Es, S::Running) => "Emitiendo",
        (Lang::Es, S::Done) => "Terminado",
        (Lang::Es, S::Failed) => "Detenido por un error",
    }
}

/// What is wrong with a row of a cohort's CSV file, in words: `problems` is the reason the
/// job kept (`column: what is wrong`, joined with `; `). In Spanish, each column is named and
/// the problem said in general terms, since the kept reason is in English.
pub(crate) fn row_problems(lang: Lang, problems: &str) -> String {
    problems
        .split("; ")
        .map(|problem| {
            let (column, what) = problem.split_once(": ").unwrap_or(("", problem));
            let missing = mc_core::says_missing(what);
            let column_name = match (lang, column) {
                (Lang::En, "name") => "Name",
                (Lang::En, "email") => "Email",
                (Lang::En, "did") => "Decentralised identifier (did)",
                (Lang::En, "grade") => "Grade",
                (Lang::En, "completion_date") => "Completion date",
                (Lang::Es, "name") => "Nombre",
                (Lang::Es, "email") => "Correo electrónico",
                (Lang::Es, "did") => "Identificador descentralizado (did)",
                (Lang::Es, "grade") => "Calificación",
                (Lang::Es, "completion_date") => "Fecha de finalización",
                (Lang::Es, _) => "Fila",
                (Lang::En, _) => "Row",
            };
            let said = match (lang, missing, column) {
                (Lang::En, true, _) => "missing".to_owned(),
                (Lang::En, false, _) => what.to_owned(),
                (Lang::Es, true, _) => "falta".to_owned(),
                (Lang::Es, false, "email") => "no es una dirección de correo válida".to_owned(),
                (Lang::Es, false, "completion_date") => "no es una fecha válida (AAAA-MM-DD)".to_owned(),
                (Lang::Es, false, "grade") => "no es válida (texto de hasta 100 caracteres)".to_owned(),
                (Lang::Es, false, "did") => "no es un identificador válido".to_owned(),
                (Lang::Es, false, _) => "no es válida".to_owned(),
            };
            format!("{column_name}: {said}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// An order of the catalogue's results, in words.
pub(crate) fn sort(lang: Lang, sort: mc_catalogue::Sort) -> &'static str {
    use mc_catalogue::Sort as S;
    match (lang, sort) {
        (Lang::En, S::Relevance) => "Best match",
        (Lang::En, S::Title) => "Title, A to Z",
        (Lang::En, S::Newest) => "Latest published",
        (Lang::En, S::Ects) => "Fewest ECTS credits",
        (Lang::Es, S::Relevance) => "Más pertinentes",
        (Lang::Es, S::Title) => "Título, de la A a la Z",
        (Lang::Es, S::Newest) => "Publicadas más recientemente",
        (Lang::Es, S::Ects) => "Menos créditos ECTS",
    }
}

/// What a quality label on a catalogue entry means, in a sentence.
pub(crate) fn framework_explanation(lang: Lang, framework: mc_core::quality::Framework) -> &'static str {
    use mc_core::quality::Framework as F;
    match (lang, framework) {
        (Lang::En, F::AnnexI) => {
            "It describes every element the EU Council Recommendation on micro-credentials (2022) asks for."
        }
        (Lang::En, F::AnnexII) => "It follows the Recommendation's principles for quality and transparency.",
        (Lang::En, F::Cmf) => {
            "It meets the European MOOC Consortium's Common Microcredential Framework (workload, level, assessment)."
        }
        (Lang::En, F::Eccoe) => {
            "It meets the ECCOE project's quality descriptors for recognition between universities."
        }
        (Lang::En, F::OpenBadges) => {
            "Its credentials are valid Open Badges 3.0, which badge platforms and wallets read."
        }
        (Lang::En, F::Edc) => "Its credentials can be European Digital Credentials, as Europass reads them.",
        (Lang::Es, F::AnnexI) => {
            "Describe todos los elementos que pide la Recomendación del Consejo de la UE sobre microcredenciales (2022)."
        }
        (Lang::Es, F::AnnexII) => "Sigue los principios de calidad y transparencia de la Recomendación.",
        (Lang::Es, F::Cmf) => {
            "Cumple el Marco Común de Microcredenciales del European MOOC Consortium (carga, nivel, evaluación)."
        }
        (Lang::Es, F::Eccoe) => {
            "Cumple los descriptores de calidad del proyecto ECCOE para el reconocimiento entre universidades."
        }
        (Lang::Es, F::OpenBadges) => {
            "Sus credenciales son Open Badges 3.0 válidas, que leen las plataformas de insignias y las carteras."
        }
        (Lang::Es, F::Edc) => "Sus credenciales pueden ser credenciales digitales europeas, como las lee Europass.",
    }
}

/// A quality framework's label on a catalogue entry, in a few words.
pub(crate) fn framework_short(lang: Lang, framework: mc_core::quality::Framework) -> &'static str {
    use mc_core::quality::Framework as F;
    match (lang, framework) {
        (Lang::En, F::AnnexI) => "EU Council Recommendation",
        (Lang::En, F::AnnexII) => "EU quality principles",
        (Lang::En, F::Cmf) => "Common Microcredential Framework",
        (Lang::En, F::Eccoe) => "ECCOE quality",
        (Lang::En, F::OpenBadges) => "Open Badges 3.0",
        (Lang::En, F::Edc) => "Europass credential",
        (Lang::Es, F::AnnexI) => "Recomendación del Consejo de la UE",
        (Lang::Es, F::AnnexII) => "Principios de calidad de la UE",
        (Lang::Es, F::Cmf) => "Marco Común de Microcredenciales",
        (Lang::Es, F::Eccoe) => "Calidad ECCOE",
        (Lang::Es, F::OpenBadges) => "Open Badges 3.0",
        (Lang::Es, F::Edc) => "Credencial de Europass",
    }
}

/// A QF-EHEA cycle, in words.
pub(crate) fn qf_ehea_cycle(lang: Lang, cycle: mc_core::QfEheaCycle) -> &'static str {
    use mc_core::QfEheaCycle as C;
    match (lang, cycle) {
        (Lang::En, C::Short) => "Short cycle (EQF 5)",
        (Lang::En, C::First) => "First cycle, bachelor (EQF 6)",
        (Lang::En, C::Second) => "Second cycle, master (EQF 7)",
        (Lang::En, C::Third) => "Third cycle, doctorate (EQF 8)",
        (Lang::Es, C::Short) => "Ciclo corto (MEC 5)",
        (Lang::Es, C::First) => "Primer ciclo, grado (MEC 6)",
        (Lang::Es, C::Second) => "Segundo ciclo, máster (MEC 7)",
        (Lang::Es, C::Third) => "Tercer ciclo, doctorado (MEC 8)",
    }
}

/// A field of the specification form: its label, and a short help saying what it is for.
pub(crate) fn form_field(lang: Lang, name: &str) -> (&'static str, &'static str) {
    let (en, es) = match name {
        "title" => (
            ("Title", "Annex I, element 2: the name learners and employers will read."),
            ("Título", "Anexo I, elemento 2: el nombre que leerán estudiantes y empleadores."),
        ),
        "description" => (
            ("Description", "What it is about and for whom, in a few sentences."),
            ("Descripción", "De qué trata y para quién, en pocas frases."),
        ),
        "outcome" => (
            ("Statement", "One thing the learner can do after it, starting with a verb."),
            ("Enunciado", "Algo que la persona sabe hacer al terminar, empezando por un verbo."),
        ),
        "skill_name" => (
            ("Skill name", "As ESCO names it; shown instead of the address."),
            ("Nombre de la competencia", "Como la nombra ESCO; se muestra en lugar de la dirección."),
        ),
        "awarding_bodies" => (
            ("Awarding bodies", "Annex I, element 4: who awards it."),
            ("Instituciones otorgantes", "Anexo I, elemento 4: quién la otorga."),
        ),
        "languages" => (("Languages of instruction", ""), ("Idiomas de impartición", "")),
        "ects" => (
            ("ECTS credits", "Annex I, element 7: the notional workload; one credit is 25 to 30 hours."),
            ("Créditos ECTS", "Anexo I, elemento 7: la carga de trabajo teórica; un crédito son de 25 a 30 horas."),
        ),
        "hours" => (
            ("Hours of study", "Whole hours, all the learning activities included."),
            ("Horas de estudio", "Horas enteras, con todas las actividades de aprendizaje."),
        ),
        "eqf_level" => (
            ("EQF level", "Annex I, element 8: the level of the European Qualifications Framework."),
            ("Nivel MEC", "Anexo I, elemento 8: el nivel del Marco Europeo de Cualificaciones."),
        ),
        "qf_ehea_cycle" => (
            ("QF-EHEA cycle", "For higher education: the cycle the level belongs to."),
            ("Ciclo MC-EEES", "En educación superior: el ciclo al que corresponde el nivel."),
        ),
        "isced_f" => (
            ("Field of study", "ISCED-F 2013: the catalogue's field filter uses it."),
            ("Ámbito de estudio", "CINE-F 2013: lo usa el filtro por ámbito del catálogo."),
        ),
        "participation" => (
            ("Form of participation", "Annex I, element 10: online, on site, or both."),
            ("Forma de participación", "Anexo I, elemento 10: en línea, presencial o ambas."),
        ),
        "assessment_kind" => (
            ("Type of assessment", "Annex I, element 9: whether the assessment decides the award."),
            ("Tipo de evaluación", "Anexo I, elemento 9: si la evaluación decide la concesión."),
        ),
        "assessment_methods" => (("Assessment methods", ""), ("Métodos de evaluación", "")),
        "assessment_description" => (
            ("How it is assessed", "A sentence or two on the assessment."),
            ("Cómo se evalúa", "Una o dos frases sobre la evaluación."),
        ),
        "qa_internal" => (
            ("Internal quality assurance", "Annex I, element 11."),
            ("Garantía de calidad interna", "Anexo I, elemento 11."),
        ),
        "qa_external" => (("External quality assurance", ""), ("Garantía de calidad externa", "")),
        "qa_body" => (
            ("Quality assurance body", "Such as ANECA or FINEEC."),
            ("Agencia de calidad", "Por ejemplo, ANECA o FINEEC."),
        ),
        "qa_description" => (("About its quality assurance", ""), ("Sobre su garantía de calidad", "")),
        "prerequisites" => (
            ("Prerequisites", "What a learner needs before enrolling."),
            ("Requisitos previos", "Lo que la persona necesita antes de inscribirse."),
        ),
        "identity_verification" => (
            ("Supervision and identity verification", "How the assessment checks who takes it."),
            ("Supervisión y verificación de la identidad", "Cómo comprueba la evaluación quién la realiza."),
        ),
        "grading_scheme" => {
            (("Grading scheme", "How grades are given."), ("Sistema de calificación", "Cómo se califica."))
        }
        "stackability_option" => (
            ("Stackability", "Whether it builds into a larger credential."),
            ("Acumulación", "Si forma parte de una credencial mayor."),
        ),
        "stackability_towards" => {
            (("Towards", "The larger credential it counts for."), ("Hacia", "La credencial mayor para la que cuenta."))
        }
        "further_information" => (("Further information", ""), ("Información adicional", "")),
        "homepage" => (
            ("The course's page", "Where learners enrol; the catalogue links to it."),
            ("Página del curso", "Donde se inscriben; el catálogo enlaza a ella."),
        ),
        _ => (("", ""), ("", "")),
    };
    if lang == Lang::Es { es } else { en }
}

/// A problem the document format finds in a specification, for the form: the field in words
/// and what is wrong, and the English detail behind it when there is no sentence for it in
/// `lang`. A missing element is said in words in every language.
pub(crate) fn document_problem(lang: Lang, problem: &mc_core::Problem) -> (String, Option<String>) {
    let field = field(lang, &problem.field);
    let missing = problem.is_missing();
    match (lang, missing) {
        (Lang::En, true) => (format!("{field}: missing"), None),
        (Lang::Es, true) => (format!("{field}: falta"), None),
        (Lang::En, false) => (format!("{field}: {}", problem.message), None),
        (Lang::Es, false) => (format!("{field}: este valor no es válido"), Some(problem.message.clone())),
    }
}

/// A period between two dates already in words: "from 1 January 2026 to 31 December 2029", or
/// open-ended when `until` is `None`.
pub(crate) fn period(lang: Lang, from: &str, until: Option<&str>) -> String {
    match (lang, until) {
        (Lang::En, Some(until)) => format!("from {from} to {until}"),
        (Lang::Es, Some(until)) => format!("del {from} al {until}"),
        (Lang::En, None) => format!("from {from}, with no end date"),
        (Lang::Es, None) => format!("desde el {from}, sin fecha de fin"),
    }
}

/// A condition of a recognition rule, named in words.
pub(crate) fn condition(lang: Lang, kind: mc_core::recognition::ConditionKind) -> &'static str {
    use mc_core::recognition::ConditionKind as K;
    match (lang, kind) {
        (Lang::En, K::Specification) => "Micro-credential named by the rule",
        (Lang::En, K::Ects) => "ECTS credits",
        (Lang::En, K::Eqf) => "EQF level",
        (Lang::En, K::Field) => "Field of study",
        (Lang::En, K::Skills) => "Skills",
        (Lang::En, K::Assessment) => "Type of assessment",
        (Lang::En, K::QualityAssurance) => "Quality assurance",
        (Lang::En, K::IdentityVerification) => "Identity verification",
        (Lang::En, K::Grade) => "Grade",
        (Lang::En, K::Recency) => "Earned recently enough",
        (Lang::Es, K::Specification) => "Microcredencial nombrada en la regla",
        (Lang::Es, K::Ects) => "Créditos ECTS",
        (Lang::Es, K::Eqf) => "Nivel MEC",
        (Lang::Es, K::Field) => "Ámbito de estudio",
        (Lang::Es, K::Skills) => "Competencias",
        (Lang::Es, K::Assessment) => "Tipo de evaluación",
        (Lang::Es, K::QualityAssurance) => "Garantía de calidad",
        (Lang::Es, K::IdentityVerification) => "Verificación de la identidad",
        (Lang::Es, K::Grade) => "Calificación",
        (Lang::Es, K::Recency) => "Obtenida hace poco",
    }
}

/// What an error page says first, in words, by the answer's status.
pub(crate) fn error_said(lang: Lang, status: axum::http::StatusCode) -> &'static str {
    use axum::http::StatusCode as S;
    match (lang, status) {
        (Lang::En, S::NOT_FOUND) => "This page does not exist, or is not one you may see.",
        (Lang::En, S::FORBIDDEN | S::UNAUTHORIZED) => "This is not open to you.",
        (Lang::En, S::CONFLICT) => "This cannot be done now.",
        (Lang::En, S::TOO_MANY_REQUESTS | S::SERVICE_UNAVAILABLE) => "Too busy just now: try again in a moment.",
        (Lang::En, status) if status.is_server_error() => "Something went wrong on our side.",
        (Lang::En, _) => "Something in what was sent is not right.",
        (Lang::Es, S::NOT_FOUND) => "Esta página no existe, o no es de las que puede ver.",
        (Lang::Es, S::FORBIDDEN | S::UNAUTHORIZED) => "Esto no está a su alcance.",
        (Lang::Es, S::CONFLICT) => "Esto no se puede hacer ahora.",
        (Lang::Es, S::TOO_MANY_REQUESTS | S::SERVICE_UNAVAILABLE) => {
            "Demasiada actividad ahora mismo: inténtelo de nuevo en un momento."
        }
        (Lang::Es, status) if status.is_server_error() => "Algo ha fallado por nuestra parte.",
        (Lang::Es, _) => "Algo de lo enviado no es correcto.",
    }
}
