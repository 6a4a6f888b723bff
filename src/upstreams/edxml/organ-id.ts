// Validation of organ identifiers (mã định danh điện tử cơ quan, QĐ 20/2020/QĐ-TTg).

/**
 * `permissive` accepts what real traffic carries (`28.22.H17`, `99.99.99.G21`, `vxp.saas.03`): up to 13
 * characters of letters, digits and dots. `strict` requires the usual `NNN.NN.NN.XNN` shape.
 */
export type OrganIdPolicy = 'permissive' | 'strict';

const PERMISSIVE_ORGAN_ID = /^[0-9A-Za-z][0-9A-Za-z.]{0,12}$/;
const STRICT_ORGAN_ID = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

export function isValidOrganId(organId: string, policy: OrganIdPolicy = 'permissive'): boolean {
  return (policy === 'strict' ? STRICT_ORGAN_ID : PERMISSIVE_ORGAN_ID).test(organId);
}
