// Every journaled action with its French label. The journal is append-only (a database trigger refuses
// UPDATE and DELETE) and each entry carries the hash of the previous one.

export const JOURNAL_ACTIONS = {
  // aidants and cards
  connect_aidant: "Connexion d'un aidant",
  activity_check_aidant: "Reprise de connexion d'un aidant",
  card_association: "Association d'une carte à un aidant",
  card_validation: "Validation d'une carte associée à un aidant",
  card_dissociation: "Séparation d'une carte et d'un aidant",
  import_totp_cards: 'Importation de cartes TOTP',
  login_link_sent: "Envoi d'un lien de connexion à un aidant",
  accept_cgu: "Acceptation des CGU par un aidant",
  // the structure, by its référents
  aidant_added: "Ajout d'un aidant à une structure",
  aidant_to_train_requested: "Demande d'ajout d'un aidant à former",
  structure_change_requested: "Demande de changement de structure d'un aidant",
  structure_change_decided: "Décision de l'ANCT sur un changement de structure d'un aidant",
  aidant_eligibility_decided: "Décision de l'ANCT sur l'éligibilité d'un aidant à former",
  aidant_deactivated: "Désactivation d'un aidant",
  aidant_reactivated: "Réactivation d'un aidant",
  aidant_removed_from_organisation: "Retrait d'un aidant d'une structure",
  referent_designated: "Désignation d'un référent",
  perimeter_changed: "Modification des démarches autorisées d'une structure",
  training_session_published: "Publication d'une session de formation",
  training_registration: "Inscription d'un aidant à une session de formation",
  training_registration_cancelled: "Annulation de l'inscription d'un aidant à une formation",
  training_attendance_recorded: "Présence d'aidants à une session de formation enregistrée",
  // usagers and mandats
  franceconnect_usager: "FranceConnexion d'un usager",
  update_email_usager: "L'e-mail de l'usager a été modifié",
  update_phone_usager: "Le téléphone de l'usager a été modifié",
  create_attestation: "Création d'une attestation",
  create_autorisation: "Création d'une autorisation",
  use_autorisation: "Utilisation d'une autorisation",
  cancel_autorisation: "Révocation d'une autorisation",
  cancel_mandat: "Révocation d'un mandat",
  init_renew_mandat: "Lancement d'une procédure de renouvellement",
  expire_mandat: "Expiration d'un mandat",
  transfer_mandat: 'Transfert d’un mandat à une autre structure',
  switch_organisation: "Changement d'organisation",
  // habilitation
  habilitation_request_submitted: "Soumission d'une demande d'habilitation",
  habilitation_request_decided: "Décision du comité sur une demande d'habilitation",
  habilitation_request_closed: "Clôture d'une demande d'habilitation restée sans modifications",
  onboarding_training_done: "Formation d'un aidant enregistrée",
  onboarding_lapsed: "Délai de formation d'un aidant dépassé",
  onboarding_reopened: "Habilitation d'un aidant rouverte avec un nouveau délai",
  onboarding_cancelled: "Annulation de l'habilitation d'un aidant",
  issuer_links_revoked: "Révocation des liens privés d'un demandeur",
  onboarding_closed: "Clôture de l'habilitation d'un aidant longtemps après le délai de formation",
  aidant_account_activated: "Activation du compte d'un aidant",
  card_shipment_updated: "Mise à jour de l'envoi d'une carte",
  // back-office
  admin_login: 'Connexion au back-office ANCT',
  add_staff_member: 'Ajout d’un membre de l’équipe ANCT',
  mandat_translation_changed: "Création, modification ou publication d'une traduction du mandat",
  journal_exported: 'Export du journal au format CSV',
  journal_verified: 'Vérification de la chaîne d’empreintes du journal',
  // retention (workflows/retention.ts)
  retention_purge: 'Purge des données arrivées au terme de leur conservation',
  // inactivity (workflows/inactive-aidants.ts)
  inactivity_duty_run: 'Tâche quotidienne : aidants inactifs, brouillons de demande, contenus d’e-mails envoyés',
  habilitation_draft_reminded: "Relance d'un brouillon de demande d'habilitation inactif",
  habilitation_draft_deleted: "Suppression d'un brouillon de demande d'habilitation inactif",
  // exports (aidants, structures, requests)
  data_exported: 'Export de données au format CSV',
} as const;
export type JournalAction = keyof typeof JOURNAL_ACTIONS;
export const JOURNAL_ACTION_KEYS = Object.keys(JOURNAL_ACTIONS) as JournalAction[];
