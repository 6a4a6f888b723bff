// Data model and code table of an edXML status message ("gói tin trạng thái", QĐ 28/2018/QĐ-TTg workflow).
import type { Organ, ResponseFor, StaffInfo } from './types';

/** The nine codes every source agrees on; 07–12 and 14 appear nowhere. */
export const STATUS_CODES = {
  '01': 'đã đến',
  '02': 'từ chối tiếp nhận',
  '03': 'đã tiếp nhận',
  '04': 'phân công xử lý',
  '05': 'đang xử lý',
  '06': 'hoàn thành',
  '13': 'thu hồi',
  '15': 'đồng ý thu hồi/cập nhật',
  '16': 'từ chối thu hồi/cập nhật',
} as const;

export type EdxmlStatusCode = keyof typeof STATUS_CODES;

export function isEdxmlStatusCode(value: string): value is EdxmlStatusCode {
  return Object.prototype.hasOwnProperty.call(STATUS_CODES, value);
}

export interface EdxmlStatusMessage {
  /** The original document the status is about. */
  responseFor: ResponseFor;
  /** The organ reporting the status. */
  from: Organ;
  statusCode: EdxmlStatusCode;
  description?: string;
  /** `yyyy/MM/dd HH:mm:ss`. */
  timestamp: string;
  staffInfo?: StaffInfo;
}
