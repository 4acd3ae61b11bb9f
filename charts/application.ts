/**
 * The application every Aviary object belongs to: the value of `app.kubernetes.io/part-of`, one
 * of the two labels pod selectors match (so it never changes between releases or environments),
 * and the name Aviary's alert group and dashboard tag carry.
 */
export const APPLICATION = 'aviary';
