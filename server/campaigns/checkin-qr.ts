// A roadshow check-in code as a QR code: inline SVG rendered on the server (no script, no image request; the CSP
// allows neither inline styles nor external scripts, and this SVG needs neither). The code encodes the address of
// the check-in page with the code filled in, so the organizer's phone camera opens it and one tap checks in
// (views/campaigns/roadshow-checkin.hbs); the code stays readable beside it for typing.
import QRCode from 'qrcode';

/** The check-in page's address with the code filled in. */
export function checkinUrl(baseUrl: string, roadshowId: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/roadshows/${roadshowId}/checkin?code=${encodeURIComponent(code)}`;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** An <svg> (role img, named by `label`) for the check-in address of `code`. */
export async function checkinQrSvg(baseUrl: string, roadshowId: string, code: string, label: string): Promise<string> {
  const svg = await QRCode.toString(checkinUrl(baseUrl, roadshowId, code), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeAttr(label)}" focusable="false" `);
}
