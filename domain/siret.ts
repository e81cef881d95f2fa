// SIRET validation: 14 digits with a Luhn checksum (La Poste's establishments, SIREN 356000000, use a digit sum).

const LA_POSTE_SIREN = '356000000';

export function normalizeSiret(input: string): string {
  return input.replace(/[\s.]/g, '');
}

export function isValidSiret(input: string): boolean {
  const siret = normalizeSiret(input);
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith(LA_POSTE_SIREN) && siret !== '35600000000048') {
    const sum = [...siret].reduce((acc, digit) => acc + Number(digit), 0);
    return sum % 5 === 0;
  }
  let sum = 0;
  for (let i = 0; i < 14; i += 1) {
    let digit = Number(siret[13 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
