// Domain errors carry the French message shown to people; the edges (Express, AdminJS, Temporal) map them once.

export class DomainError extends Error {
  constructor(message: string, readonly code: string, readonly httpStatus = 400) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(readonly fieldErrors: Record<string, string>, message = 'Le formulaire contient des erreurs.') {
    super(message, 'validation_error', 400);
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'La page demandée est introuvable.') {
    super(message, 'not_found', 404);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Vous n’avez pas les droits nécessaires pour cette action.') {
    super(message, 'forbidden', 403);
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(message: string) {
    super(message, 'invalid_transition', 409);
  }
}
