// Dealer client codes as a desk reads them. XTS names the dealer's own (PRO) book "*****".
const OWN_BOOK = "*****";

export function clientLabel(code: string): string {
  return code === OWN_BOOK ? "own book (*****)" : code;
}

export const clientOptions = (codes: string[]) => codes.map((code) => ({ value: code, label: clientLabel(code) }));
