// Habilitation requests in the database: what the pages, the back-office and the activities share.
import type { Sequelize } from 'sequelize';
import { HabilitationRequest, Issuer } from '../db/models/index.js';
import { departmentFromZipcode, type HabilitationRequestInput } from '../domain/habilitation-form.js';

/** Stores a complete request as a draft; its workflow then moves it to the comité (see submitToComite). */
export async function createRequestDraft(sequelize: Sequelize, input: HabilitationRequestInput): Promise<HabilitationRequest> {
  return sequelize.transaction(async (transaction) => {
    const [issuer] = await Issuer.findOrCreate({
      where: { email: input.issuerEmail },
      defaults: {
        email: input.issuerEmail, firstName: input.issuerFirstName, lastName: input.issuerLastName,
        profession: input.issuerProfession, phone: input.issuerPhone || null, emailVerifiedAt: null,
      },
      transaction,
    });
    return HabilitationRequest.create(
      {
        issuerId: issuer.id,
        name: input.structureName,
        type: input.structureType,
        typeOther: input.structureTypeOther,
        siret: input.siret,
        address: input.address,
        zipcode: input.zipcode,
        city: input.city,
        departmentCode: departmentFromZipcode(input.zipcode),
        franceServicesLabel: input.franceServicesNumber !== null,
        franceServicesNumber: input.franceServicesNumber,
        webSite: null,
        missionDescription: null,
        // In this first version the demandeur is the référent ("c'est moi").
        referentFirstName: input.issuerFirstName,
        referentLastName: input.issuerLastName,
        referentEmail: input.issuerEmail,
        referentPhone: input.issuerPhone || null,
        referentProfession: input.issuerProfession,
        pledgeCgu: input.pledges.cgu,
        pledgeNotFree: input.pledges.not_free,
        pledgeDpo: input.pledges.dpo,
        pledgeProfessionalsOnly: input.pledges.professionals_only,
        pledgeWithoutElected: input.pledges.without_elected,
        organisationId: null,
        habilitationNumber: null,
        submittedAt: new Date(),
        decidedAt: null,
      },
      { transaction },
    );
  });
}

export function requestUrl(publicUrl: string, requestId: string): string {
  return `${publicUrl}/habilitation/demandes/${requestId}`;
}
