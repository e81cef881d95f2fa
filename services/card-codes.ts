// Checks the 6-digit codes of aidant cards and applications, as every login, activity check and card
// validation needs: each card's tolerance (domain/cards.ts CARD_POLICY), a code accepted once (the last
// accepted time step is kept, moved forward by one atomic UPDATE), and repeated failures widening a drifting
// physical card's tolerance until the next successful login.
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { Card } from '../db/models/index.js';
import { CARD_POLICY, CODE_PATTERN } from '../domain/cards.js';
import type { SecretBox } from './secret-box.js';
import { verifyCode } from './totp.js';

export interface CardCodes {
  /**
   * The validated, functional card or application of this person that produced `code` (consumed: the same code
   * is refused afterwards), or null. A failure counts against each of the person's validated cards.
   */
  checkPersonCode(userId: string, code: string, at?: Date): Promise<Card | null>;
  /** Checks a code of one card (validated or not) with its own tolerance, and consumes it. */
  checkCardCode(card: Card, code: string, at?: Date): Promise<boolean>;
  /** After a successful login: every validated card of the person back to the narrow tolerance, failures forgotten. */
  resetAfterLogin(userId: string): Promise<void>;
}

export function createCardCodes(deps: { sequelize: Sequelize; secrets: SecretBox }): CardCodes {
  /** Moves the card's last accepted step forward to `step`; false when that step (or a later one) was already used. */
  async function consume(cardId: string, step: number): Promise<boolean> {
    const rows = await deps.sequelize.query(
      'UPDATE cards SET last_used_step = :step, failed_codes = 0 WHERE id = :id AND (last_used_step IS NULL OR last_used_step < :step) RETURNING id',
      { replacements: { id: cardId, step }, type: QueryTypes.SELECT },
    );
    return rows.length === 1;
  }

  function matchingStep(card: Card, code: string, at: Date): number | null {
    const result = verifyCode(deps.secrets.open(card.sealedSeed), card.periodSeconds, code, at, card.tolerance);
    return result.valid && result.step !== undefined ? result.step : null;
  }

  return {
    async checkCardCode(card, code, at = new Date()) {
      if (!CODE_PATTERN.test(code)) return false;
      const step = matchingStep(card, code, at);
      return step !== null && consume(card.id, step);
    },

    async checkPersonCode(userId, code, at = new Date()) {
      const cards = await Card.findAll({ where: { aidantId: userId, isFunctional: true }, order: [['kind', 'ASC']] });
      const validated = cards.filter((card) => card.validatedAt !== null);
      if (validated.length === 0) return null;
      if (CODE_PATTERN.test(code)) {
        for (const card of validated) {
          const step = matchingStep(card, code, at);
          if (step !== null && await consume(card.id, step)) return card;
        }
      }
      // One atomic statement: concurrent failures all count, and the third one widens a physical card.
      await deps.sequelize.query(
        `UPDATE cards SET failed_codes = failed_codes + 1,
           tolerance = CASE WHEN kind = 'physical' AND failed_codes + 1 >= :threshold THEN GREATEST(tolerance, :drifted) ELSE tolerance END
         WHERE aidant_id = :userId AND validated_at IS NOT NULL AND is_functional`,
        { replacements: { userId, threshold: CARD_POLICY.failuresBeforeDrift, drifted: CARD_POLICY.driftedTolerance } },
      );
      return null;
    },

    async resetAfterLogin(userId) {
      await Card.update({ tolerance: CARD_POLICY.confirmedTolerance, failedCodes: 0 }, { where: { aidantId: userId, validatedAt: { [Op.ne]: null } } });
    },
  };
}
