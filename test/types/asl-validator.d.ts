// asl-validator 4 ships JavaScript without declarations; this is the part the tests use.
declare module 'asl-validator' {
  interface AslValidation {
    isValid: boolean;
    errors: unknown[];
    errorsText?: (separator?: string) => string;
  }
  export default function aslValidator(definition: object, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidation;
}
